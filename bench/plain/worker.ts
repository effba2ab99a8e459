/**
 * The baseline's worker process: the plain workflows and activities on
 * BATON_TASK_QUEUE, with Baton's encrypting data converter (ENCRYPTION_KEY)
 * so the comparison is of the work, not of encryption.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { workerDataConverterFor } from '../../shared/codec/index.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { errorMessage } from '../../shared/errors/index.ts';
import { EAGER_ACTIVITIES_PER_WORKFLOW_TASK } from '../../worker/worker.ts';
import * as activities from './activities.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    activities,
    // The same tuning as Baton's worker, so the comparison is of the work.
    maxEagerActivityReservationsPerWorkflowTask: EAGER_ACTIVITIES_PER_WORKFLOW_TASK,
    dataConverter: workerDataConverterFor(config.keyRing),
  });
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(`plain worker: ${errorMessage(error)}`);
  process.exit(1);
});
