/**
 * A worker process is SIGKILLed while runs of a limited workflow wait in
 * their gate's queue, and another one is started: the gate and the runs pick
 * up from their histories on it, and every run completes, never more than
 * the limit at once, in the order they were started.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { loadConfig, type BatonConfig, type Env } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { runStatus, startRun, type StartedRun } from '../../shared/runs/index.ts';
import { openResultStore, type ResultStore } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { localExecutors } from '../../local/executors.ts';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../local/lambda-endpoint.ts';
import { testEnv } from '../support/test-stack.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';
import { until } from './support/fault-stack.ts';
import { heldInterval, mostAtOnce } from '../support/run-overlap.ts';

/** A namespace of its own: a worker reconciles schedules namespace-wide. */
const NAMESPACE = `baton-limit-kill-${Math.random().toString(36).slice(2, 8)}`;

let env: Env;
let config: BatonConfig;
let endpoint: LambdaEndpoint;
let client: Client;
let store: ResultStore;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  const base = testEnv({
    TEMPORAL_NAMESPACE: NAMESPACE,
    BATON_WORKFLOWS_DIR: mkdtempSync(join(tmpdir(), 'baton-limit-kill-')),
    BATON_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
  }).env;
  endpoint = await startLambdaEndpoint({ functions: localExecutors(loadConfig(base).functions, base).functions });
  env = { ...base, BATON_LAMBDA_ENDPOINT: endpoint.url };
  config = loadConfig(env);
  store = openResultStore(config.resultsUrl, config.keyRing, env);
  workers.push(await startWorkerProcess(env));
  client = await connectClient(env, config);
});

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
  await client?.connection.close();
  await endpoint?.close();
});

it('keeps the queue of a limited workflow when its worker is killed', async () => {
  const compiled = compileDefinition(
    parseDefinition(
      `
name: limited-through-kill
concurrency: { limit: 2 }
blocks:
  - { id: hold, type: wait, duration: 1s }
  - { id: echo, type: code, after: [hold], code: "return trigger.data.i" }
`,
      'limited.yaml',
    ),
  );
  const runs: StartedRun[] = [];
  for (let i = 0; i < 8; i += 1) {
    runs.push(await startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger: { type: 'manual', data: { i } } }));
  }
  await until(async () => (await runStatus(client, runs[0]!.runId)).status === 'completed');
  expect((await runStatus(client, runs.at(-1)!.runId)).status).toBe('queued');

  const killed = workers[0]!;
  killed.kill('SIGKILL');
  await killed.exited;
  workers.push(await startWorkerProcess(env));

  await Promise.all(runs.map((run) => run.handle.result()));
  const statuses = await Promise.all(runs.map((run) => runStatus(client, run.runId)));
  expect(statuses.map((status) => status.status)).toEqual(runs.map(() => 'completed'));
  expect(statuses.map((status) => status.turn)).toEqual(runs.map((_, index) => index + 1));
  expect(mostAtOnce(statuses.map((status) => heldInterval(status)))).toBeLessThanOrEqual(2);
}, 240_000);
