/**
 * Key rotation without downtime, with runs in flight, on the real stack: runs
 * start under key "a"; the stack (worker, clients, executors) restarts with
 * the ring "b,a" while they wait; they finish, and new runs use "b". Then "a"
 * goes: the ring "b" runs new runs, and a run still holding data under "a"
 * ends visibly, naming the key, instead of hanging. A schedule, whose
 * arguments and memo Temporal keeps for good, is sealed again under "b" by
 * the sync a restart does, so it outlives "a" too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/codec/index.ts';
import { compileDefinition, memoryRegistry, parseDefinition } from '../../shared/definition/index.ts';
import { watchRun, type RunHandle } from '../../shared/runs/index.ts';
import { listSchedules, syncSchedules } from '../../shared/schedules/index.ts';
import { ROTATION_NAMESPACE } from '../support/global-setup.ts';
import { sdkBookkeeping } from '../support/history.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { PATCH_IDS } from '../../worker/workflows/baton-run.ts';
import { storeKeys } from '../../shared/contract/index.ts';

const ROTATING = `
name: rotating
blocks:
  - id: first
    type: code
    code: return trigger.data.n * 2
  - id: pause
    type: wait
    after: [first]
    duration: 3s
  - id: last
    type: code
    after: [pause]
    code: return first.data + 1
`;

/** Waits in a timer long enough to be in flight through every restart below. */
const LINGERING = `
name: lingering
blocks:
  - id: first
    type: code
    code: return 1
  - id: pause
    type: wait
    after: [first]
    duration: 10m
`;

const SCHEDULED = compileDefinition(
  parseDefinition(
    `
name: yearly
triggers:
  schedules:
    - { id: newyear, cron: "0 0 1 1 *", input: { from: schedule } }
blocks:
  - { id: tick, type: code, code: "return trigger.data" }
`,
    'yearly.yaml',
  ),
);
const SCHEDULE_ID = 'baton-yearly-newyear';

const keyA = generateKey();
const keyB = generateKey();
const resultsDir = mkdtempSync(join(tmpdir(), 'baton-rotation-'));
/**
 * One deployment across restarts: the same task queue and result store, and a
 * namespace of its own, so its schedule (sealed under its own keys) is never
 * listed by another test file's sync.
 */
const NAMESPACE = ROTATION_NAMESPACE;
const deployment = {
  TEMPORAL_NAMESPACE: NAMESPACE,
  BATON_TASK_QUEUE: `rotation-${Math.random().toString(36).slice(2, 10)}`,
  BATON_RESULTS_URL: `file://${resultsDir}`,
};
const withRing = (ring: string) => startTestStack({ ...deployment, BATON_ENCRYPTION_KEYS: ring });

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function waitUntilWaiting(handle: RunHandle): Promise<void> {
  for (;;) {
    const status = await handle.query<{ blocks: Record<string, { status: string }> }>('status').catch(() => undefined);
    if (status?.blocks.first?.status === 'completed' && status.blocks.pause?.status === 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The key id of every payload in a run's history, in event order, read without
 * the codec; search attributes (the workflow's name, indexed by Temporal) aside.
 */
async function keyIdsInHistory(stack: TestStack, runId: string): Promise<string[]> {
  const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({ namespace: NAMESPACE, execution: { workflowId: runId } });
  const ids: string[] = [];
  // The SDK's own bookkeeping (local activity and patch markers) is in clear and under no key.
  const sdkOwn = new Set<unknown>(sdkBookkeeping(history, PATCH_IDS).map(({ payload }) => payload));
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array || sdkOwn.has(value)) return;
    if (Array.isArray(value)) return value.forEach(visit);
    const record = value as Record<string, unknown>;
    const metadata = record.metadata as Record<string, Uint8Array> | undefined;
    if (metadata?.encoding && record.data instanceof Uint8Array) {
      expect(Buffer.from(metadata.encoding).toString()).toBe('binary/encrypted');
      ids.push(Buffer.from(metadata['encryption-key-id'] ?? []).toString());
    }
    for (const [key, child] of Object.entries(record)) if (key !== 'searchAttributes') visit(child);
  };
  visit(history);
  return ids;
}

/** Syncs the one scheduled definition, as a worker does at start; returns what changed and the keys Temporal holds the schedule under. */
async function syncSchedule(stack: TestStack) {
  const report = await syncSchedules({
    client: stack.client,
    store: stack.store,
    taskQueue: stack.config.taskQueue,
    registry: memoryRegistry([SCHEDULED]),
    definitions: [SCHEDULED],
  });
  const { schedule, memo } = await stack.client.workflowService.describeSchedule({ namespace: NAMESPACE, scheduleId: SCHEDULE_ID });
  const keyOf = (metadata: Record<string, Uint8Array> | null | undefined) => Buffer.from(metadata?.['encryption-key-id'] ?? []).toString();
  const [args] = schedule?.action?.startWorkflow?.input?.payloads ?? [];
  return { report, argsKey: keyOf(args?.metadata), memoKey: keyOf(memo?.fields?.workflow?.metadata) };
}

describe('key rotation with runs in flight', () => {
  const inFlight: Array<{ runId: string; n: number }> = [];
  let lingering: string;

  it('under key "a": runs start and wait in a timer when the stack goes down', async () => {
    stack = await withRing(`a:${keyA}`);
    for (const n of [1, 2, 3]) {
      const { runId, handle } = await stack.begin(ROTATING, { n });
      inFlight.push({ runId, n });
      await waitUntilWaiting(handle);
    }
    const started = await stack.begin(LINGERING);
    lingering = started.runId;
    await waitUntilWaiting(started.handle);
    for (const { runId } of inFlight) expect(new Set(await keyIdsInHistory(stack, runId))).toEqual(new Set(['a']));

    expect(await syncSchedule(stack)).toMatchObject({ report: { created: [SCHEDULE_ID] }, argsKey: 'a', memoKey: 'a' });
    await stack.client.schedule.getHandle(SCHEDULE_ID).pause('paused by an operator');
  });

  it('with the ring "b,a": the runs in flight finish, writing under "b", and new runs use "b"', async () => {
    stack = await withRing(`b:${keyB},a:${keyA}`);
    expect(inFlight.map(({ n }) => n)).toEqual([1, 2, 3]);
    for (const { runId, n } of inFlight) {
      const outcome = await watchRun(stack.client.workflow.getHandle(runId), stack.store);
      expect(outcome.status).toBe('completed');
      expect(outcome.output).toEqual({ last: n * 2 + 1 });
      const ids = await keyIdsInHistory(stack, runId);
      expect(ids[0]).toBe('a'); // the start, sealed before the restart
      expect(ids.at(-1)).toBe('b'); // the result, sealed after it
    }
    const fresh = await stack.run(ROTATING, { n: 10 });
    expect(fresh.output).toEqual({ last: 21 });
    expect(new Set(await keyIdsInHistory(stack, fresh.runId))).toEqual(new Set(['b']));

    // The sync sees the schedule sealed under "a" and makes it again under "b", keeping the operator's pause.
    expect(await syncSchedule(stack)).toMatchObject({ report: { updated: [SCHEDULE_ID] }, argsKey: 'b', memoKey: 'b' });
    expect(await syncSchedule(stack)).toMatchObject({ report: { unchanged: [SCHEDULE_ID] } });
    const description = await stack.client.schedule.getHandle(SCHEDULE_ID).describe();
    expect(description.state).toMatchObject({ paused: true, note: 'paused by an operator' });
  });

  it('with the ring "b" alone: new runs work, and a run still holding data under "a" ends naming it', async () => {
    stack = await withRing(`b:${keyB}`);
    const fresh = await stack.run(ROTATING, { n: 20 });
    expect(fresh.status).toBe('completed');
    expect(fresh.output).toEqual({ last: 41 });

    const stranded = await watchRun(stack.client.workflow.getHandle(lingering), stack.store);
    expect(stranded.status).toBe('failed');
    expect(stranded.error?.message).toContain('sealed with key "a", which is not in the key ring (it holds "b")');
    expect((await stack.client.workflow.getHandle(lingering).describe()).status.name).toBe('TERMINATED');

    // The schedule, sealed again under "b", is still read, and fires a run that completes.
    expect(await syncSchedule(stack)).toMatchObject({ report: { unchanged: [SCHEDULE_ID] }, argsKey: 'b' });
    expect(await listSchedules(stack.client)).toEqual([expect.objectContaining({ id: SCHEDULE_ID, workflow: 'yearly', paused: true })]);
    const schedule = stack.client.schedule.getHandle(SCHEDULE_ID);
    await schedule.unpause();
    await schedule.trigger();
    let fired: string | undefined;
    while (!fired) {
      fired = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!fired) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const scheduled = await watchRun(stack.client.workflow.getHandle(fired), stack.store);
    expect(scheduled).toMatchObject({ status: 'completed', output: { tick: { from: 'schedule' } } });
    await schedule.delete();

    // What was stored under "a" (trigger data, say) is unreadable now, with the same cause.
    const { runId } = inFlight[0]!;
    await expect(stack.store.getJson(storeKeys.trigger(runId))).rejects.toThrow(/sealed with key "a"/);
  });
});
