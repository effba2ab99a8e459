/**
 * The worker process as the container runs it (worker/main.ts, configured by
 * environment only) against the run's Temporal dev server, with the real
 * code-executor behind a local Lambda endpoint in this process: its health
 * endpoint, its Prometheus metrics (Temporal's and Baton's), the tuning it
 * reads, and a SIGTERM that lets the block in flight finish before it exits.
 * It gets a namespace of its own, which it registers itself as in a fresh
 * deployment: it also reconciles schedules, namespace-wide, and must not
 * touch those of other test files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import proto from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { loadConfig, type BatonConfig } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { startRun, watchRun } from '../../shared/runs/index.ts';
import { openResultStore, type ResultStore } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { localExecutors } from '../../local/executors.ts';
import { startLambdaEndpoint, type LambdaEndpoint, type LambdaHandler } from '../../local/lambda-endpoint.ts';
import { testEnv } from '../support/test-stack.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';
import { sample } from '../support/prometheus.ts';

const { EventType } = proto.temporal.api.enums.v1;

/** Holds executor invocations while armed, so a test can act while a block is in flight. */
function gate(handler: LambdaHandler) {
  let armed = false;
  let entered: () => void = () => {};
  let release: () => void = () => {};
  let enteredP = Promise.resolve();
  let releaseP = Promise.resolve();
  return {
    arm() {
      armed = true;
      enteredP = new Promise((resolve) => (entered = resolve));
      releaseP = new Promise((resolve) => (release = resolve));
    },
    whenEntered: () => enteredP,
    open() {
      armed = false;
      release();
    },
    handler: (async (event) => {
      if (armed) {
        entered();
        await releaseP;
      }
      return handler(event);
    }) satisfies LambdaHandler,
  };
}

let env: Record<string, string | undefined>;
let config: BatonConfig;
let endpoint: LambdaEndpoint;
let client: Client;
let store: ResultStore;
let worker: WorkerProcess;
const executorGate = { current: undefined as ReturnType<typeof gate> | undefined };

const NAMESPACE = `baton-worker-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  const workflowsDir = mkdtempSync(join(tmpdir(), 'baton-worker-workflows-'));
  writeFileSync(
    join(workflowsDir, 'nightly.yaml'),
    'name: nightly\ntriggers:\n  schedules:\n    - id: at-three\n      cron: "0 3 * * *"\nblocks:\n  - id: one\n    type: code\n    code: return 1\n',
  );
  const base = testEnv({
    TEMPORAL_NAMESPACE: NAMESPACE,
    BATON_WORKFLOWS_DIR: workflowsDir,
    BATON_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    BATON_WORKER_MAX_CONCURRENT_ACTIVITIES: '7',
  }).env;
  const baseConfig = loadConfig(base);
  const { functions } = localExecutors(baseConfig.functions, base);
  const codeGate = gate(functions[baseConfig.functions.codeExecutor]!);
  executorGate.current = codeGate;
  endpoint = await startLambdaEndpoint({ functions: { ...functions, [baseConfig.functions.codeExecutor]: codeGate.handler } });
  env = { ...base, BATON_LAMBDA_ENDPOINT: endpoint.url };
  config = loadConfig(env);
  store = openResultStore(config.resultsUrl, config.keyRing, env);
  // The worker first: it registers the namespace and the search attribute the client's runs carry.
  worker = await startWorkerProcess(env);
  client = await connectClient(env, config);
});

afterAll(async () => {
  executorGate.current?.open();
  worker?.kill('SIGTERM');
  await worker?.exited;
  await client?.connection.close();
  await endpoint?.close();
});

async function start(yaml: string) {
  const compiled = compileDefinition(parseDefinition(yaml, 'test.yaml'));
  return startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger: { type: 'manual', data: null } });
}

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; worker said:\n${worker.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One sample's value from Prometheus text: `name{labels} value`, labels matched as given. */
describe('the worker process', () => {
  it('registers its namespace, answers its health check while polling (404 elsewhere), and reconciles schedules', async () => {
    const health = await fetch(worker.healthUrl);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', worker: 'RUNNING' });
    expect((await fetch(worker.healthUrl.replace('/healthz', '/nope'))).status).toBe(404);
    expect(worker.stderr()).toContain(`registered namespace ${NAMESPACE} (retention 14 days)`);
    expect(worker.stderr()).toMatch(new RegExp(`polling ${config.taskQueue} on ${env.TEMPORAL_ADDRESS}, namespace ${NAMESPACE}, plain`));
    await waitFor(() => /schedules: \+baton-nightly-at-three \(0 unchanged\)/.test(worker.stderr()));
    const schedule = await client.schedule.getHandle('baton-nightly-at-three').describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'batonRun', taskQueue: config.taskQueue });
  });

  it('stops at start-up with one line naming a bad setting', async () => {
    const error = await startWorkerProcess({ ...env, BATON_WORKER_MAX_CACHED_WORKFLOWS: '1' }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(/exited during start-up:\nbaton worker: BATON_WORKER_MAX_CACHED_WORKFLOWS: must be 0 \(no cache\) or at least 2, got "1"\n$/);
  });

  it('exports Temporal runtime metrics with its tuning, and counts blocks run and failed with executor latency', async () => {
    const before = await (await fetch(worker.metricsUrl)).text();
    // BATON_WORKER_MAX_CONCURRENT_ACTIVITIES=7: the runtime reports seven activity slots.
    expect(sample(before, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker', task_queue: config.taskQueue })).toBe(7);

    const { handle } = await start(`
name: metered
blocks:
  - id: fine
    type: code
    code: return 1
  - id: broken
    type: code
    onError: continue
    code: throw new Error('nope')
`);
    const outcome = await watchRun(handle, store);
    expect(outcome.status).toBe('completed');

    const text = await (await fetch(worker.metricsUrl)).text();
    const labels = { namespace: NAMESPACE, task_queue: config.taskQueue, block_type: 'code' };
    expect(sample(text, 'baton_blocks_run', { ...labels, outcome: 'completed' })).toBe(1);
    expect(sample(text, 'baton_blocks_run', { ...labels, outcome: 'failed' })).toBe(1);
    expect(sample(text, 'baton_blocks_failed', { ...labels, reason: 'block' })).toBe(1);
    expect(sample(text, 'baton_executor_latency_count', labels)).toBe(2);
    expect(sample(text, 'baton_executor_latency_bucket', { ...labels, le: '900000' })).toBe(2);
    expect(sample(text, 'temporal_workflow_completed', { task_queue: config.taskQueue })).toBeGreaterThanOrEqual(1);
  });

  it('logs a failed run by ids, block and error type, never the user message', async () => {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    const { runId, handle } = await start(`
name: leaky
blocks:
  - id: boom
    type: code
    code: throw new TypeError('${marker} in the user message')
`);
    const outcome = await watchRun(handle, store);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain(marker);
    // The run's failure is logged by ids and codes (the SDK's own line and batonRun's), and the marker is nowhere in the worker's output.
    const lines = () => worker.stderr().split('\n').filter((l) => l.includes(`workflowId=${runId}`));
    await waitFor(() => lines().length >= 2);
    expect(lines().find((l) => l.includes('Workflow failed'))).toMatch(/^baton worker: temporal WARN Workflow failed .*workflowType=batonRun/);
    expect(lines().find((l) => l.includes('Run failed'))).toMatch(/ blockId=boom blockType=code blockErrorType=TypeError$/);
    expect(worker.output()).not.toContain(marker);
  });

  it('on SIGTERM stops polling, finishes the block in flight, and exits 0; another worker finishes the run', async () => {
    const codeGate = executorGate.current!;
    codeGate.arm();
    const { runId, handle } = await start(`
name: draining
blocks:
  - id: inflight
    type: code
    code: return 'finished after SIGTERM'
  - id: next
    type: code
    after: [inflight]
    code: return inflight.data
`);
    await codeGate.whenEntered();
    worker.kill('SIGTERM');
    // The worker says it is going: the health check turns 503 while the block is still held.
    for (;;) {
      const response = await fetch(worker.healthUrl).catch(() => undefined);
      if (response?.status === 503) {
        expect(((await response.json()) as { worker: string }).worker).not.toBe('RUNNING');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    codeGate.open();
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toMatch(/SIGTERM: no new work; finishing what is in flight/);
    expect(worker.stderr()).toMatch(/stopped/);

    // The in-flight attempt (a local activity: its marker, recorded with the workflow task the worker completed
    // on its way out) completed, not timed out, not failed, before the worker left.
    const history = await handle.fetchHistory();
    const types = history.events?.map((event) => event.eventType) ?? [];
    const localSteps = (history.events ?? []).map((event) => event.markerRecordedEventAttributes).filter((marker) => marker?.markerName === 'core_local_activity');
    // (The worker may run `next` in that same task too: it is a local step of the same run.)
    expect(localSteps.length).toBeGreaterThanOrEqual(1);
    expect(localSteps.filter((marker) => marker?.failure)).toEqual([]);
    expect(types.filter((type) => type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toHaveLength(0);
    expect(types).not.toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    expect(types).not.toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);

    worker = await startWorkerProcess(env);
    const outcome = await watchRun(handle, store);
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ next: 'finished after SIGTERM' });
    expect(runId).toMatch(/^run-/);
  });
});
