/**
 * The stack the fault tests break: the worker (worker/main.ts) and the
 * executors (local/lambda-main.ts) each in a process of their own, so one can
 * be killed and started again; optionally a fault proxy between them; the
 * ledger the probe workflow charges, once per idempotency key; and a client
 * in the test that starts runs and waits for every one to settle.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { generateKey } from '../../../shared/codec/index.ts';
import { loadConfig, type BatonConfig, type Env } from '../../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../../shared/definition/index.ts';
import { startRun } from '../../../shared/runs/index.ts';
import { openResultStore, type ResultStore } from '../../../shared/store/index.ts';
import { connectClient } from '../../../shared/temporal/index.ts';
import type { NodeProcess } from '../../../local/node-process.ts';
import { startLambdaProcess, startWorkerProcess, type LambdaProcess } from '../../../local/split-stack.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { startLedger, type Ledger } from './ledger.ts';

export const FAULT_NAMESPACE = 'baton-test';

/**
 * Three side effects a run, each under the idempotency key docs/language.md
 * recommends (run id, block id, iteration): one charge, a durable timer, and
 * one refund per loop item.
 */
export const PROBE_WORKFLOW = `
name: fault-probe
blocks:
  - id: charge
    type: http
    resource: ledger
    method: POST
    path: /charges
    headers:
      idempotency-key: "{{ context.runId }}:{{ context.block }}:{{ context.index }}"
    body: { amount: 1 }
    timeoutMs: 5000
    retry: { maxAttempts: 3, initialIntervalMs: 200 }
  - id: pause
    type: wait
    after: [charge]
    duration: 300ms
  - id: refunds
    type: loop
    after: [pause]
    over: "[1, 2]"
    concurrency: 2
    body:
      type: http
      resource: ledger
      method: POST
      path: /charges
      headers:
        idempotency-key: "{{ context.runId }}:{{ context.block }}:{{ context.index }}"
      body: { amount: "{{ item }}" }
      timeoutMs: 5000
      retry: { maxAttempts: 3, initialIntervalMs: 200 }
  - id: receipt
    type: code
    after: [refunds]
    code: "return { charged: charge.data.status, refunds: refunds.data.length }"
`;

/** The ledger keys one probe run charges. */
export const probeKeys = (runId: string): string[] => [`${runId}:charge:`, `${runId}:refunds:0`, `${runId}:refunds:1`];

export interface Settled {
  readonly runId: string;
  readonly status: 'completed' | 'failed';
  readonly output?: unknown;
  /** Why it failed, as the run's failure says it. */
  readonly cause?: string;
}

export interface FaultStack {
  readonly env: Env;
  readonly config: BatonConfig;
  readonly client: Client;
  readonly store: ResultStore;
  readonly resultsDir: string;
  readonly ledger: Ledger;
  readonly lambda: LambdaProcess;
  readonly proxy: FaultProxy | undefined;
  readonly worker: NodeProcess;
  /** Starts a worker process again (after a kill); resolves once it polls. */
  restartWorker(): Promise<NodeProcess>;
  /** Starts one more worker process on the same task queue, beside those running; resolves once it polls. */
  addWorker(): Promise<NodeProcess>;
  /** Starts `count` runs of the probe workflow, a few at a time. */
  startRuns(count: number): Promise<string[]>;
  /** Waits for every run to complete or fail; a server that is away for a while is asked again. */
  settle(runIds: readonly string[], timeoutMs: number): Promise<Settled[]>;
  stop(): Promise<void>;
}

export interface FaultStackOptions {
  /** A Temporal server of the test's own (the shared one by default). */
  readonly temporalAddress?: string;
  /** The namespace on that server (FAULT_NAMESPACE by default). */
  readonly namespace?: string;
  /** Put a fault proxy between the worker and the executors. */
  readonly proxy?: boolean;
}

const START_LANES = 16;
const SETTLE_LANES = 32;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => {});
  };
  try {
    const ledger = await startLedger();
    stops.push(() => ledger.close());
    const resultsDir = mkdtempSync(join(tmpdir(), 'baton-fault-'));
    const taskQueue = `fault-${Math.random().toString(36).slice(2, 10)}`;
    const namespace = options.namespace ?? FAULT_NAMESPACE;
    const env: Env = {
      ...process.env,
      TEMPORAL_ADDRESS: options.temporalAddress ?? inject('temporalAddress'),
      TEMPORAL_NAMESPACE: namespace,
      BATON_TASK_QUEUE: taskQueue,
      ENCRYPTION_KEY: generateKey(),
      BATON_RESULTS_URL: `file://${resultsDir}`,
      BATON_RESOURCES: JSON.stringify({ ledger: { type: 'http', baseUrl: ledger.url } }),
      // A worker/main.ts that reads it skips bundling at start.
      BATON_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    };
    const config = loadConfig(env);
    const client = await connectClient(env, config);
    stops.push(() => client.connection.close());
    const store = openResultStore(config.resultsUrl, config.keyRing);

    const lambda = await startLambdaProcess(env, { name: 'executors' });
    stops.push(() => lambda.process.stop());
    let proxy: FaultProxy | undefined;
    if (options.proxy) {
      proxy = await startFaultProxy(lambda.url);
      stops.push(() => proxy!.close());
    }
    const workerEnv = { ...env, BATON_LAMBDA_ENDPOINT: proxy?.url ?? lambda.url };
    const launch = async () => {
      const proc = await startWorkerProcess({ env: workerEnv, client, namespace, taskQueue });
      stops.push(() => proc.stop());
      return proc;
    };
    let worker = await launch();

    const compiled = compileDefinition(parseDefinition(PROBE_WORKFLOW, 'fault-probe.yaml'));
    return {
      env,
      config,
      client,
      store,
      resultsDir,
      ledger,
      lambda,
      proxy,
      get worker() {
        return worker;
      },
      async restartWorker() {
        worker = await launch();
        return worker;
      },
      addWorker: launch,
      async startRuns(count) {
        const runIds = new Array<string>(count);
        let next = 0;
        const lane = async () => {
          for (let i = next++; i < count; i = next++) {
            runIds[i] = (await startRun({ client, store, taskQueue, compiled, trigger: { type: 'manual', data: { i } } })).runId;
          }
        };
        await Promise.all(Array.from({ length: START_LANES }, lane));
        return runIds;
      },
      async settle(runIds, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        const outcomeOf = async (runId: string): Promise<Settled> => {
          for (;;) {
            try {
              const { output } = await client.workflow.getHandle(runId).result();
              return { runId, status: 'completed', output: await store.getJson(output.ref) };
            } catch (error) {
              if (error instanceof WorkflowFailedError) {
                return { runId, status: 'failed', cause: error.cause?.message ?? error.message };
              }
              if (Date.now() > deadline) throw new Error(`run ${runId} did not settle in ${timeoutMs} ms: ${String(error)}`, { cause: error });
              await sleep(500);
            }
          }
        };
        // A few long polls at a time: one connection carries at most ~100 streams, and more would queue behind the slowest runs.
        const settled = new Array<Settled>(runIds.length);
        let next = 0;
        const lane = async () => {
          for (let i = next++; i < runIds.length; i = next++) settled[i] = await outcomeOf(runIds[i]!);
        };
        await Promise.all(Array.from({ length: SETTLE_LANES }, lane));
        return settled;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves once `condition` holds, asking every `everyMs` (the test's own timeout bounds the wait). */
export async function until(condition: () => boolean | Promise<boolean>, everyMs = 50): Promise<void> {
  while (!(await condition())) await sleep(everyMs);
}

/** The runs that did not complete, with why: empty when all did (shown whole when a test fails). */
export function notCompleted(settled: readonly Settled[]): string[] {
  return settled.filter((run) => run.status !== 'completed').map((run) => `${run.runId}: ${run.cause ?? run.status}`);
}

/** Ledger keys charged more or less than once for the runs given. */
export function chargedOtherThanOnce(ledger: Ledger, runIds: readonly string[]): string[] {
  const expected = new Set(runIds.flatMap(probeKeys));
  const missing = [...expected].filter((key) => !ledger.applied.has(key));
  const unexpected = [...ledger.applied.keys()].filter((key) => !expected.has(key));
  return [...missing.map((key) => `never charged: ${key}`), ...unexpected.map((key) => `charged by no run of ours: ${key}`)];
}
