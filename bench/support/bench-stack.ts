/**
 * The stack the shapes benchmark and the soak run on, every part its own
 * process as in production: a Temporal dev server (in memory), the executors
 * behind the local Lambda endpoint, and worker processes started on demand;
 * this process keeps only a client and the result store, to start runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { generateKey } from '../../shared/codec/index.ts';
import { loadConfig, type Env } from '../../shared/config/index.ts';
import { openResultStore, type ResultStore } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { startDevServer, type DevServer } from '../../local/dev-server.ts';
import type { NodeProcess } from '../../local/node-process.ts';
import { startLambdaProcess, startWorkerProcess, type LambdaProcess } from '../../local/split-stack.ts';
import { bundleBatonWorkflows } from '../../worker/worker.ts';
import { profileNodeArgs } from './profile.ts';

export interface BenchStack {
  readonly server: DevServer;
  readonly env: Env;
  readonly client: Client;
  readonly store: ResultStore;
  readonly lambda: LambdaProcess;
  /** Starts a worker process on `taskQueue` (worker/main.ts unless `entry` names another); stopped with the stack. */
  startWorker(name: string, taskQueue: string, entry?: URL): Promise<NodeProcess>;
  stop(): Promise<void>;
}

export async function startBenchStack(namespace: string): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const stops: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((error: unknown) => console.error(`stopping: ${String(error)}`));
  };
  try {
    const server = await startDevServer({ namespaces: [namespace] });
    stops.push(() => server.stop());
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleBatonWorkflows()).code);
    const env: Env = {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: namespace,
      ENCRYPTION_KEY: generateKey(),
      BATON_RESULTS_URL: `file://${join(dir, 'results')}`,
      BATON_WORKFLOW_BUNDLE: bundlePath,
    };
    const config = loadConfig(env);
    const client = await connectClient(env, config);
    stops.push(() => client.connection.close());
    const nodeArgs = profileNodeArgs();
    const lambda = await startLambdaProcess(env, { name: 'executors', ...(nodeArgs ? { nodeArgs } : {}) });
    stops.push(() => lambda.process.stop());
    return {
      server,
      env,
      client,
      store: openResultStore(config.resultsUrl, config.keyRing),
      lambda,
      async startWorker(name, taskQueue, entry) {
        const proc = await startWorkerProcess({
          env: { ...env, BATON_TASK_QUEUE: taskQueue, BATON_LAMBDA_ENDPOINT: lambda.url },
          client,
          namespace,
          taskQueue,
          name,
          ...(entry ? { entry } : {}),
          ...(nodeArgs ? { nodeArgs } : {}),
        });
        stops.push(() => proc.stop());
        return proc;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
