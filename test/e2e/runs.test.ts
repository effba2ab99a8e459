/**
 * Runs through the real parts: the Temporal dev server, the in-process
 * worker, @aws-sdk/client-lambda against the local Invoke endpoint, the real
 * code-executor handler and the isolated-vm sandbox.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { PATCH_IDS } from '../../worker/workflows/baton-run.ts';
import { sdkBookkeeping } from '../support/history.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { storeKeys } from '../../shared/contract/index.ts';
import { startRun, watchRun } from '../../shared/runs/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('a three-block workflow', () => {
  it('runs independent blocks in parallel and joins them, with results in scope by id', async () => {
    const yaml = await readFile('workflows/hello.yaml', 'utf8');
    const outcome = await stack.run(yaml, { name: 'Ada' });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ summary: { message: 'Hello, Ada!', sum: 15, ranOn: 'hello' } });
    const blocks = outcome.final!.blocks;
    expect(Object.values(blocks).map((b) => b.status)).toEqual(['completed', 'completed', 'completed']);
    // greeting and numbers have no edges between them: each started before the other ended
    const { greeting, numbers, summary } = blocks as Record<string, { startedAt: number; endedAt: number }>;
    expect(greeting!.startedAt).toBeLessThanOrEqual(numbers!.endedAt);
    expect(numbers!.startedAt).toBeLessThanOrEqual(greeting!.endedAt);
    // summary waited for both
    expect(summary!.startedAt).toBeGreaterThanOrEqual(Math.max(greeting!.endedAt, numbers!.endedAt));
  });

  it('keeps console output as the block logs in the result store', async () => {
    const outcome = await stack.run(`
name: logs
blocks:
  - id: talk
    type: code
    code: |
      console.log('one', { two: 2 });
      console.warn('three');
      return 1
`);
    expect(outcome.status).toBe('completed');
    const logs = await stack.store.getJson<Array<{ level: string; message: string }>>(storeKeys.logs(outcome.runId, 'talk'));
    expect(logs?.map((l) => [l.level, l.message])).toEqual([
      ['log', 'one {"two":2}'],
      ['warn', 'three'],
    ]);
  });
});

describe('eager start', () => {
  it("hands a run started on the stack its first workflow task in the start's reply, and only over the worker's connection", async () => {
    const yaml = await readFile('workflows/hello.yaml', 'utf8');
    const eager = await stack.begin(yaml, { name: 'Ada' });
    expect(eager.eagerlyStarted).toBe(true);
    expect((await watchRun(eager.handle, stack.store)).status).toBe('completed');

    // A client of its own (as a deployed API has) cannot ask for it; its runs go through matching.
    const other = await connectClient(stack.env, stack.config);
    try {
      const compiled = compileDefinition(parseDefinition(yaml, 'hello.yaml'));
      const started = await startRun({ client: other, store: stack.store, taskQueue: stack.config.taskQueue, compiled, trigger: { type: 'manual', data: { name: 'Bo' } } });
      expect(started.eagerlyStarted).toBe(false);
      expect((await watchRun(started.handle, stack.store)).status).toBe('completed');
    } finally {
      await other.connection.close();
    }
  });
});

describe('failures', () => {
  it('fails the run naming the block and its message, and cancels what was running', async () => {
    const outcome = await stack.run(`
name: fails
blocks:
  - id: slow
    type: code
    code: "await new Promise(() => {}); return 1"
    timeoutMs: 20000
  - id: broken
    type: code
    code: "throw new Error('no such customer')"
  - id: never
    type: code
    after: [broken]
    code: return 1
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.blockId).toBe('broken');
    expect(outcome.error?.message).toContain('no such customer');
    const blocks = outcome.final!.blocks;
    expect(blocks.broken).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'Error', message: 'no such customer' } });
    expect(blocks.slow?.status).toBe('cancelled');
    expect(blocks.never?.status).toBe('cancelled');
  });

  it('retries a block under its policy, with context.attempt counting the attempts', async () => {
    const outcome = await stack.run(`
name: retries
blocks:
  - id: flaky
    type: code
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
    code: |
      if (context.attempt < 3) throw new Error('attempt ' + context.attempt + ' failed');
      return context.attempt
`);
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ flaky: 3 });
    expect(outcome.final!.blocks.flaky).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it('does not retry a deterministic error: a TypeError in a template, a ReferenceError in code', async () => {
    const outcome = await stack.run(`
name: deterministic
blocks:
  - id: reply
    type: response
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
    onError: continue
    body: { deep: "{{ trigger.data.missing.deep }}" }
  - id: typo
    type: code
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
    code: return nothingByThatName
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.blockId).toBe('typo');
    const { reply, typo } = outcome.final!.blocks;
    expect(reply).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'TypeError' } });
    expect(typo).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'ReferenceError' } });
  });

  it('goes on after a block with onError: continue, which downstream sees as an error result', async () => {
    const outcome = await stack.run(`
name: continues
blocks:
  - id: shaky
    type: code
    onError: continue
    code: "throw new RangeError('out of range')"
  - id: after
    type: code
    after: [shaky]
    code: "return { seen: shaky.status, message: shaky.data.error.message, type: shaky.error.type }"
`);
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ after: { seen: 'failed', message: 'out of range', type: 'RangeError' } });
  });

  it('ends a block that runs past its timeout with a clear error', async () => {
    const outcome = await stack.run(`
name: times-out
blocks:
  - id: spin
    type: code
    timeoutMs: 300
    code: "while (true) {}"
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.final!.blocks.spin?.error).toEqual({ type: 'TimeoutError', message: 'timed out after 300 ms' });
  });
});

describe('a child run cancelled on its own', () => {
  it('fails its workflow step, so the block after it never runs without data', async () => {
    const { runId, handle } = await stack.begin(
      `
name: parent-of-cancelled
blocks:
  - id: call
    type: workflow
    workflow: stuck
  - id: next
    type: code
    after: [call]
    code: return call.data
`,
      null,
      // A block that hangs is declared long (past LOCAL_STEP_MAX_TIMEOUT_MS): a regular activity, so the child's
      // status can be queried while it runs; a local one would hold the child's workflow task, and the query with it.
      { workflows: ['name: stuck\nblocks:\n  - id: hold\n    type: code\n    timeoutMs: 60000\n    code: "await new Promise(() => {}); return 1"\n'] },
    );
    const child = stack.client.workflow.getHandle(`${runId}-call`);
    await expect
      .poll(async () => (await child.query<{ blocks: Record<string, { status: string }> }>('status').catch(() => undefined))?.blocks.hold?.status)
      .toBe('running');
    await child.cancel();
    const outcome = await watchRun(handle, stack.store);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ blockId: 'call', message: `block "call" failed: child run ${runId}-call was cancelled` });
    expect(outcome.final!.blocks.call).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'ChildRunCancelled' } });
    expect(outcome.final!.blocks.next?.status).toBe('cancelled');
    expect(await stack.store.getJson(storeKeys.block(runId, 'next'))).toBeUndefined();
  });
});

describe('what Temporal sees', () => {
  it('holds no trigger data, result or error text in clear, only encrypted payloads', async () => {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    const outcome = await stack.run(
      `
name: secretive
blocks:
  - id: echo
    type: code
    code: "return { echoed: trigger.data.secret + '-result' }"
  - id: boom
    type: code
    after: [echo]
    onError: continue
    code: "throw new Error(echo.data.echoed)"
`,
      { secret: marker },
    );
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ boom: { error: { message: `${marker}-result`, type: 'Error' } } });
    const history = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.config.temporal.namespace,
      execution: { workflowId: outcome.runId },
    });
    // The history as the server stores it, in bytes: a marker in clear would show here.
    const raw = Buffer.from(proto.temporal.api.history.v1.History.encode(history.history!).finish());
    expect(raw.includes(Buffer.from(marker))).toBe(false);
    // Search attributes are indexed by the server, so they stay plain; the only one is
    // BatonWorkflow, the definition's name (orchestration data, like a workflow type).
    const searchAttributes = collectSearchAttributes(history.history);
    expect(Object.keys(searchAttributes)).toEqual(['BatonWorkflow']);
    expect(JSON.parse(Buffer.from(searchAttributes.BatonWorkflow!.data!).toString())).toBe('secretive');
    const payloads = collectPayloads(history.history).filter((p) => !Object.values(searchAttributes).includes(p));
    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
    }
    // The SDK's own bookkeeping (local activity and patch markers), if any, is the only thing in clear, and orchestration data only.
    const bookkeeping = sdkBookkeeping<PayloadLike>(history.history, PATCH_IDS);
    // Exactly the markers batonRun records: the local-activities patch, then a local-activity marker per
    // short block (echo, boom), for boom's recordFailure and for the finishRun store step.
    expect(bookkeeping.map(({ kind }) => kind)).toEqual([
      'core_patch',
      'TemporalChangeVersion',
      ...Array.from({ length: 4 }, () => 'core_local_activity'),
    ]);
    for (const { payload, onlyBookkeeping, kind } of bookkeeping) {
      expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('json/plain');
      expect(onlyBookkeeping(), kind).not.toBeUndefined();
    }
    // ...and the result store holds it sealed too.
    const files = await readdir(stack.resultsDir, { recursive: true, withFileTypes: true });
    const objects = files.filter((f) => f.isFile());
    expect(objects.length).toBeGreaterThan(3);
    for (const file of objects) {
      expect((await readFile(join(file.parentPath, file.name))).includes(Buffer.from(marker))).toBe(false);
    }
  });
});

interface PayloadLike {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

/** The search attributes the run started with. */
function collectSearchAttributes(history: unknown): Record<string, PayloadLike> {
  const events = (history as { events?: Array<{ workflowExecutionStartedEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, PayloadLike> } } }> }).events ?? [];
  return events[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {};
}

/** Every Temporal Payload anywhere in a history (inputs, results, failures, query answers), but the SDK's bookkeeping. */
function collectPayloads(history: unknown): PayloadLike[] {
  const bookkeeping = new Set(sdkBookkeeping<PayloadLike>(history, PATCH_IDS).map(({ payload }) => payload));
  const found: PayloadLike[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) return value.forEach(visit);
    const record = value as Record<string, unknown>;
    if (record.metadata && record.data instanceof Uint8Array && !bookkeeping.has(record as PayloadLike)) found.push(record as PayloadLike);
    Object.values(record).forEach(visit);
  };
  visit(history);
  return found;
}
