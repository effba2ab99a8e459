/**
 * What an operator sees of the worker process as the container runs it.
 * Its log as a log service reads it in AWS: the container says where it runs
 * (AWS_EXECUTION_ENV, as ECS sets it), so every line is JSON; at
 * BATON_LOG_LEVEL=debug each block attempt has a line with the run id, block
 * id and attempt; the user's error message is in none of it. Its metrics:
 * runs started, completed, failed per workflow, queued runs, and approvals requested and decided.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { loadConfig, type BatonConfig } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { startRun, watchRun } from '../../shared/runs/index.ts';
import { openResultStore, type ResultStore } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { localExecutors } from '../../local/executors.ts';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../local/lambda-endpoint.ts';
import { testEnv } from '../support/test-stack.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';
import { sample } from '../support/prometheus.ts';

/** A namespace of its own: the worker reconciles schedules namespace-wide. */
const NAMESPACE = `baton-logs-${Math.random().toString(36).slice(2, 8)}`;

let config: BatonConfig;
let endpoint: LambdaEndpoint;
let client: Client;
let store: ResultStore;
let worker: WorkerProcess;

beforeAll(async () => {
  const base = testEnv({
    TEMPORAL_NAMESPACE: NAMESPACE,
    BATON_WORKFLOWS_DIR: mkdtempSync(join(tmpdir(), 'baton-logs-workflows-')),
    BATON_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
  }).env;
  endpoint = await startLambdaEndpoint({ functions: localExecutors(loadConfig(base).functions, base).functions });
  const env = { ...base, BATON_LAMBDA_ENDPOINT: endpoint.url };
  config = loadConfig(env);
  store = openResultStore(config.resultsUrl, config.keyRing, env);
  worker = await startWorkerProcess({ ...env, AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', BATON_LOG_LEVEL: 'debug' });
  client = await connectClient(env, config);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.exited;
  await client?.connection.close();
  await endpoint?.close();
});

type Line = Record<string, unknown>;

function lines(): Line[] {
  return worker
    .stderr()
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text) => {
      try {
        return JSON.parse(text) as Line;
      } catch {
        throw new Error(`a worker log line is not JSON: ${text}`);
      }
    });
}

async function waitFor(check: () => boolean, probe?: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(probe ? await probe() : check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; worker said:\n${worker.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const compile = (yaml: string) => compileDefinition(parseDefinition(yaml, 'test.yaml'));

/** The worker's metrics page; workflow metrics reach it with the worker's next flush. */
const scrape = () => fetch(worker.metricsUrl).then((response) => response.text());
/** The tags a workflow metric of `workflow` carries: the SDK's own (namespace, taskQueue, workflowType) and ours. */
const of = (workflow: string, extra: Record<string, string> = {}) => ({ workflow, namespace: NAMESPACE, taskQueue: config.taskQueue, workflowType: 'batonRun', ...extra });

it('writes JSON lines with ids, block and attempt, and never the user message', async () => {
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  const compiled = compileDefinition(
    parseDefinition(
      `
name: logged
blocks:
  - { id: fine, type: code, code: "return 1" }
  - { id: boom, type: code, after: [fine], code: "throw new TypeError('${marker} in the user message')" }
`,
      'logged.yaml',
    ),
  );
  const { runId, handle } = await startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger: { type: 'manual', data: { marker } } });
  expect((await watchRun(handle, store)).status).toBe('failed');
  const attemptOf = (blockId: string) => lines().find((line) => line.msg === 'block attempt' && line.runId === runId && line.blockId === blockId);
  await waitFor(() => attemptOf('boom') !== undefined && lines().some((line) => line.workflowId === runId && line.msg === 'Workflow failed'));

  expect(attemptOf('fine')).toMatchObject({ level: 20, component: 'baton worker', blockType: 'code', attempt: 1, outcome: 'completed' });
  expect(attemptOf('boom')).toMatchObject({ level: 20, blockType: 'code', attempt: 1, outcome: 'failed', blockErrorType: 'TypeError' });
  expect(typeof attemptOf('boom')?.durationMs).toBe('number');
  const failed = lines().find((line) => line.workflowId === runId && line.msg === 'Workflow failed');
  expect(failed).toMatchObject({ level: 40, source: 'temporal', sdkLevel: 'WARN', workflowType: 'batonRun' });
  const polling = lines().find((line) => typeof line.msg === 'string' && line.msg.startsWith('polling '));
  expect(polling).toMatchObject({ level: 30, component: 'baton worker' });
  expect(new Date(String(polling?.time)).toISOString()).toBe(polling?.time);
  expect(worker.output()).not.toContain(marker);
});

it('counts runs started, completed and failed per workflow, and the runs that queued for a slot', async () => {
  const limited = compile(`
name: metered-limit
concurrency: { limit: 1 }
blocks:
  - { id: hold, type: wait, duration: 1s }
`);
  const failing = compile(`
name: metered-failing
blocks:
  - { id: boom, type: code, code: "throw new Error('no')" }
`);
  const start = (compiled: typeof limited) => startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger: { type: 'manual', data: null } });
  const runs = [await start(limited), await start(limited), await start(failing)];
  const outcomes = await Promise.all(runs.map((run) => watchRun(run.handle, store)));
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['completed', 'completed', 'failed']);

  // Workflow metrics reach the exporter with the worker's next flush: wait for the last of them.
  let text = await scrape();
  await waitFor(() => false, async () => {
    text = await scrape();
    return sample(text, 'baton_runs_failed', { workflow: 'metered-failing' }) === 1 && sample(text, 'baton_runs_completed', { workflow: 'metered-limit' }) === 2;
  });
  // Workflow metrics carry the SDK's own tags (taskQueue, workflowType) beside the workflow's name (of).
  expect(sample(text, 'baton_runs_started', of('metered-limit'))).toBe(2);
  expect(sample(text, 'baton_runs_completed', of('metered-limit'))).toBe(2);
  expect(sample(text, 'baton_runs_failed', of('metered-limit'))).toBeUndefined();
  expect(sample(text, 'baton_runs_started', of('metered-failing'))).toBe(1);
  expect(sample(text, 'baton_runs_failed', of('metered-failing'))).toBe(1);
  // The second limited run waited for the first one's slot.
  expect(sample(text, 'baton_runs_queued', of('metered-limit'))).toBe(1);
  expect(sample(text, 'baton_runs_dequeued', { ...of('metered-limit'), outcome: 'granted' })).toBe(1);
  expect(sample(text, 'baton_run_queue_wait_count', of('metered-limit'))).toBe(1);
  expect(sample(text, 'baton_executor_latency_count', { block_type: 'code' })).toBeGreaterThanOrEqual(1);
});

it('counts approvals requested and decided per workflow, so pending approvals are their difference', async () => {
  const timed = compile(`
name: metered-approvals
blocks:
  - { id: yes, type: approval, timeout: 300ms, onTimeout: approve }
  - { id: no, type: approval, timeout: 300ms, onTimeout: reject, onError: continue }
`);
  const open = compile(`
name: metered-pending
blocks:
  - { id: sign_off, type: approval }
`);
  const start = (compiled: typeof timed) => startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger: { type: 'manual', data: null } });
  const timedRun = await start(timed);
  const pendingRun = await start(open);
  expect((await watchRun(timedRun.handle, store)).status).toBe('completed');

  let text = '';
  await waitFor(() => false, async () => {
    text = await scrape();
    return sample(text, 'baton_approvals_decided', of('metered-approvals', { outcome: 'timed_out' })) === 2 && sample(text, 'baton_approvals_requested', of('metered-pending')) === 1;
  });
  expect(sample(text, 'baton_approvals_requested', of('metered-approvals'))).toBe(2);
  // The open approval is pending: requested, not decided.
  expect(sample(text, 'baton_approvals_decided', of('metered-pending', { outcome: 'cancelled' }))).toBeUndefined();

  await pendingRun.handle.cancel();
  await waitFor(() => false, async () => {
    text = await scrape();
    return sample(text, 'baton_approvals_decided', of('metered-pending', { outcome: 'cancelled' })) === 1;
  });
  expect(sample(text, 'baton_approvals_requested', of('metered-pending'))).toBe(1);
});
