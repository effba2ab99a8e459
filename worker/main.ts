/**
 * The worker's entry point (the container's command): connects to Temporal,
 * serves batonRun and the block activities, and on SIGTERM or SIGINT stops
 * polling, finishes what is in flight and exits.
 */
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../shared/config/index.ts';
import { connectWorker } from './connect.ts';
import { createLambdaClient } from '../shared/lambda/client.ts';
import { openResultStore } from '../shared/store/index.ts';
import { errorMessage } from '../shared/errors.ts';
import { createBatonWorker } from './worker.ts';
import { resolve } from 'node:path';
import { directoryRegistry } from '../shared/definition/index.ts';
import { reconcileSchedulesAtStart } from '../shared/schedules/index.ts';
import { connectClient } from '../shared/temporal/index.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await connectWorker(process.env, config);
  const store = openResultStore(config.resultsUrl, config.keyRing);
  const worker = await createBatonWorker({
    connection,
    config,
    lambda: createLambdaClient({ endpoint: config.lambdaEndpoint }),
    store,
  });
  console.error(`baton worker: namespace ${config.temporal.namespace}, task queue ${config.taskQueue}`);
  // Schedules follow the deployed definitions: reconciled whenever a worker starts.
  const client = await connectClient(process.env, config);
  await reconcileSchedulesAtStart(
    { client, store, taskQueue: config.taskQueue, registry: directoryRegistry(resolve(process.env.BATON_WORKFLOWS_DIR ?? 'workflows')) },
    (line) => console.error(`baton worker: ${line}`),
  );
  await worker.run();
  await client.connection.close();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(`baton worker: ${errorMessage(error)}`);
  process.exit(1);
});
