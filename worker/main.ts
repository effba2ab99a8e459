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

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await connectWorker(process.env, config);
  const worker = await createBatonWorker({
    connection,
    config,
    lambda: createLambdaClient({ endpoint: config.lambdaEndpoint }),
    store: openResultStore(config.resultsUrl, config.keyRing),
  });
  console.error(`baton worker: namespace ${config.temporal.namespace}, task queue ${config.taskQueue}`);
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(`baton worker: ${errorMessage(error)}`);
  process.exit(1);
});
