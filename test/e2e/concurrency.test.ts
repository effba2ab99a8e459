/**
 * Concurrency limits on the real stack (Temporal dev server, worker, local
 * Lambda endpoint, executors, the API): 50 runs against a limit of 3 per
 * key, a queued run cancelled, a holder terminated, a refused start through
 * the API, and a worker restarted while runs wait in the queue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDefinition, directoryRegistry, parseDefinition, type CompiledDefinition } from '../../shared/definition/index.ts';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { gateIdOf, listRunPage, listRuns, runStatus, startRun, type GateTuning, type StartedRun } from '../../shared/runs/index.ts';
import { gateQuery, type RunStatus } from '../../shared/contract/index.ts';
import { createLambdaClient } from '../../shared/lambda/client.ts';
import { connectWorker } from '../../worker/connect.ts';
import { createBatonWorker } from '../../worker/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { Worker } from '@temporalio/worker';
import { dataConverterFor, workerDataConverterFor } from '../../shared/codec/index.ts';
import { startTestStack, TEST_NAMESPACE, type TestStack } from '../support/test-stack.ts';
import { metadataText, payloadsIn, readableBytes, sdkBookkeeping, showHistory, type JsonPayload } from '../support/history.ts';
import { PATCH_IDS } from '../../worker/workflows/baton-run.ts';
import { heldInterval, mostAtOnce } from '../support/run-overlap.ts';

const API_KEY = 'test-key-concurrency-0123456789';

/** A run of `name` holds its slot through a wait of `hold`, then a code block. */
function limitedYaml(name: string, limit: number, overflow: 'queue' | 'reject', hold: string): string {
  return `
name: ${name}
input: { type: object, required: [customer, i] }
concurrency: { limit: ${limit}, key: "{{ trigger.data.customer }}", overflow: ${overflow} }
blocks:
  - { id: hold, type: wait, duration: ${hold} }
  - { id: echo, type: code, after: [hold], code: "return { i: trigger.data.i }" }
`;
}

let stack: TestStack;
let dir: string;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'baton-limits-'));
  writeFileSync(join(dir, 'one-at-a-time.yaml'), limitedYaml('one-at-a-time', 1, 'reject', '20s'));
  api = await startApiServer(
    {
      client: stack.client,
      store: stack.store,
      taskQueue: stack.config.taskQueue,
      registry: directoryRegistry(dir),
      checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }),
    },
    { port: 0 },
  );
});

afterAll(async () => {
  await api?.close();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const compile = (yaml: string) => compileDefinition(parseDefinition(yaml, 'test.yaml'));

function start(compiled: CompiledDefinition, data: { customer: string; i: number }, gateTuning?: GateTuning): Promise<StartedRun> {
  return startRun({
    client: stack.client,
    store: stack.store,
    taskQueue: stack.config.taskQueue,
    compiled,
    trigger: { type: 'manual', data },
    ...(gateTuning ? { gateTuning } : {}),
  });
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type ProtoPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

/** Every payload of a fetched history (protobuf objects). */
function sealedPayloads(history: unknown): ProtoPayload[] {
  const found: ProtoPayload[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (metadata && metadata.encoding instanceof Uint8Array) found.push(record as ProtoPayload);
    else Object.values(record).forEach(visit);
  };
  visit(history);
  return found;
}

async function finalStatuses(runs: readonly StartedRun[]): Promise<RunStatus[]> {
  await Promise.all(runs.map((run) => run.handle.result().catch(() => undefined)));
  return Promise.all(runs.map((run) => runStatus(stack.client, run.runId)));
}

describe('overflow: queue', () => {
  it('runs 50 runs at most 3 at a time per key, all to completion, in the order they started', async () => {
    const compiled = compile(limitedYaml('fifty', 3, 'queue', '1500'));
    const runs: StartedRun[] = [];
    const customers: string[] = [];
    // Few messages per gate run, so each gate continues as new several times on the way.
    for (let i = 0; i < 50; i += 1) {
      const customer = i % 2 === 0 ? 'acme' : 'globex';
      customers.push(customer);
      runs.push(await start(compiled, { customer, i }, { messagesPerRun: 20 }));
    }
    // The last run started has at least 20 runs of its key ahead of it, each holding its slot for 1.5 s.
    const last = runs.at(-1)!;
    expect((await runStatus(stack.client, last.runId)).status).toBe('queued');
    const listed = await listRuns(stack.client, { workflow: 'fifty', limit: 50 });
    expect(listed.find((run) => run.runId === last.runId)?.status).toBe('queued');
    // The paged list behind GET /v1/workflows/{name}/runs and the run viewer says so too.
    const page = await listRunPage(stack.client, stack.store, { workflow: 'fifty', pageSize: 50 });
    expect(page.runs.find((run) => run.runId === last.runId)?.status).toBe('queued');

    const statuses = await finalStatuses(runs);
    expect(statuses.map((status) => status.status)).toEqual(runs.map(() => 'completed'));
    for (const customer of ['acme', 'globex']) {
      const ofKey = statuses.filter((_, index) => customers[index] === customer);
      const intervals = ofKey.map((status) => heldInterval(status));
      expect(mostAtOnce(intervals)).toBeLessThanOrEqual(3);
      // Granted in the order started: the gate's turns count up with the order of the starts.
      expect(ofKey.map((status) => status.turn)).toEqual(ofKey.map((_, index) => index + 1));
    }
    // The gate continued as new on the way (its first run is not its current one), carrying the queue over.
    const gate = await stack.client.workflow.getHandle(gateIdOf('fifty', 'acme')).describe();
    expect(gate.raw.workflowExecutionInfo?.firstRunId).not.toBe(gate.runId);

    // Every gate run (each continue-as-new) and a few of the runs replay without nondeterminism.
    const histories = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = '${gateIdOf('fifty', 'acme')}'` })) {
      histories.push({ workflowId: execution.workflowId, history: await stack.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory() });
    }
    expect(histories.length).toBeGreaterThan(1);
    for (const run of [runs[0]!, runs[10]!, last]) histories.push({ workflowId: run.runId, history: await run.handle.fetchHistory() });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: workerDataConverterFor(stack.config.keyRing) },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('takes a cancelled queued run out of the queue, and frees the slot of a run terminated while it held one', async () => {
    const compiled = compile(limitedYaml('single-file', 1, 'queue', '30s'));
    const tuning = { checkEveryMs: 1000, arrivalGraceMs: 1000 };
    const holder = await start(compiled, { customer: 'c1', i: 0 }, tuning);
    const cancelled = await start(compiled, { customer: 'c1', i: 1 }, tuning);
    const next = await start(compiled, { customer: 'c1', i: 2 }, tuning);
    const gate = stack.client.workflow.getHandle(gateIdOf('single-file', 'c1'));
    await until(async () => ((await gate.query(gateQuery)).queued === 2 ? true : undefined), 'two queued runs');

    await cancelled.handle.cancel();
    await expect(cancelled.handle.result()).rejects.toThrow();
    const cancelledStatus = await runStatus(stack.client, cancelled.runId);
    expect(cancelledStatus.status).toBe('cancelled');
    expect(cancelledStatus.blocks.hold?.startedAt).toBeUndefined();
    expect(await gate.query(gateQuery)).toMatchObject({ holding: 1, queued: 1 });

    // Terminated, the holder cannot leave the gate itself: the gate's check finds it ended and lets the next run in.
    await holder.handle.terminate('test: a run that ends without running its own cleanup');
    await until(async () => ((await runStatus(stack.client, next.runId)).status === 'running' ? true : undefined), 'the next run to get the slot');
    await next.handle.terminate('test: done');
  });
});

describe('what Temporal sees of a key', () => {
  it('holds the key only hashed: neither the run nor its gate has it, sealed or opened', async () => {
    const customer = `CUSTOMER${Math.random().toString(36).slice(2, 12)}`;
    const compiled = compile(limitedYaml('sealed-key', 1, 'queue', '10'));
    const first = await start(compiled, { customer, i: 0 });
    const queued = await start(compiled, { customer, i: 1 });
    await Promise.all([first.handle.result(), queued.handle.result()]);
    const gateId = gateIdOf('sealed-key', customer);
    for (const workflowId of [first.runId, queued.runId, gateId]) {
      const { text, json } = await showHistory({ address: stack.config.temporal.address, namespace: TEST_NAMESPACE, workflowId });
      // The SDK's local-activity and patch markers are in clear, and hold orchestration data only.
      const bookkeeping = sdkBookkeeping<JsonPayload>(json, PATCH_IDS);
      for (const entry of bookkeeping) expect(entry.onlyBookkeeping(), `${workflowId} ${entry.kind}`).not.toBeUndefined();
      const sdkOwn = new Set(bookkeeping.map(({ payload }) => payload));
      const payloads = payloadsIn(json).filter((payload) => !sdkOwn.has(payload));
      for (const payload of payloads) expect(metadataText(payload, 'encoding'), workflowId).toBe('binary/encrypted');
      expect(readableBytes(text, [...payloads, ...sdkOwn]).includes(Buffer.from(customer))).toBe(false);
      // Opened with the key, the history still holds ids, counts and times only.
      const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
      const sealed = sealedPayloads(history);
      expect(sealed.length).toBeGreaterThan(2);
      const opened = await dataConverterFor(stack.config.keyRing).payloadCodecs[0]!.decode(sealed);
      const openedBytes = Buffer.concat(opened.map((payload) => Buffer.from(payload.data ?? [])));
      expect(openedBytes.includes(Buffer.from(workflowId === gateId ? queued.runId : workflowId)), 'the opened history names the runs').toBe(true);
      expect(openedBytes.includes(Buffer.from(customer))).toBe(false);
    }
  });
});

describe('overflow: reject', () => {
  it('refuses a start beyond the limit with 429 and Retry-After, and takes one again once the slot is free', async () => {
    const post = (customer: string) =>
      fetch(`${api.url}/v1/workflows/one-at-a-time/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ customer, i: 0 }),
      });
    const first = await post('initech');
    expect(first.status).toBe(202);
    const { runId } = (await first.json()) as { runId: string };

    const refused = await post('initech');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { code: 'concurrency_limit' } });
    // Another key has slots of its own.
    const other = await post('umbrella');
    expect(other.status).toBe(202);

    // No key in the data: 400 naming it.
    const keyless = await fetch(`${api.url}/v1/workflows/one-at-a-time/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customer: { id: 1 }, i: 0 }),
    });
    expect(keyless.status).toBe(400);
    expect(((await keyless.json()) as { error: { message: string } }).error.message).toContain('trigger.data.customer');

    await stack.client.workflow.getHandle(runId).cancel();
    await until(async () => {
      const again = await post('initech');
      return again.status === 202 ? true : undefined;
    }, 'a start accepted after the holder was cancelled');
  });
});

describe('a worker restart', () => {
  it('keeps the queue: every run completes, at most 2 at a time, in order', async () => {
    const compiled = compile(limitedYaml('restarted', 2, 'queue', '1s'));
    const runs: StartedRun[] = [];
    for (let i = 0; i < 8; i += 1) runs.push(await start(compiled, { customer: 'k', i }));
    await until(async () => ((await runStatus(stack.client, runs[0]!.runId)).status === 'completed' ? true : undefined), 'the first run');
    expect((await runStatus(stack.client, runs.at(-1)!.runId)).status).toBe('queued');

    // The stack's worker stops; a new one, with nothing cached, picks the runs and the gate up from their histories.
    stack.worker!.shutdown();
    const connection = await connectWorker(stack.env, stack.config);
    const worker = await createBatonWorker({
      connection,
      config: stack.config,
      lambda: createLambdaClient({ endpoint: stack.lambdaEndpoint.url }),
      store: stack.store,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const running = worker.run();
    try {
      const statuses = await finalStatuses(runs);
      expect(statuses.map((status) => status.status)).toEqual(runs.map(() => 'completed'));
      const intervals = statuses.map((status) => heldInterval(status));
      expect(mostAtOnce(intervals)).toBeLessThanOrEqual(2);
      expect(statuses.map((status) => status.turn)).toEqual(runs.map((_, index) => index + 1));
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });
});
