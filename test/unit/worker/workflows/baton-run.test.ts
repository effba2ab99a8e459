/**
 * batonRun's run rules on a real Temporal server, with fake activities
 * (test/support/workflow-env.ts: the executors' replies are scripted per
 * block, so each rule is exercised in well under a second).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import { BLOCK_FAILED, ITEMS_PER_BATCH, LOCAL_RETRY_THRESHOLD_MS, MAX_LOOP_CONCURRENCY, MAX_LOOP_ITEMS } from '../../../../shared/contract/index.ts';
import { PATCH_IDS } from '../../../../worker/workflows/baton-run.ts';
import { sdkBookkeeping } from '../../../support/history.ts';
import { failed, heldUntilCancelled, ok, startWorkflowTestEnv, type WorkflowTestEnv } from '../../../support/workflow-env.ts';

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv();
});
afterAll(async () => {
  await t?.stop();
});

/** The run's failure, as its client sees it. */
async function failureOf(result: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await result.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** How a run's executor calls reached its history: local-activity markers, scheduled activities (with their timeouts), timers. */
async function executorCallsIn(workflowId: string) {
  const history = await t.env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const bookkeeping = sdkBookkeeping(history, PATCH_IDS);
  return {
    kinds: [...new Set(bookkeeping.map(({ kind }) => kind))].sort(),
    local: bookkeeping.filter(({ kind }) => kind === 'core_local_activity').map((entry) => entry.onlyBookkeeping() as { activity_type: string }),
    regular: events.flatMap((event) => {
      const scheduled = event.activityTaskScheduledEventAttributes;
      return scheduled ? [{ type: scheduled.activityType?.name, startToCloseMs: optionalTsToMs(scheduled.startToCloseTimeout) }] : [];
    }),
    timersMs: events.flatMap((event) => (event.timerStartedEventAttributes ? [optionalTsToMs(event.timerStartedEventAttributes.startToFireTimeout)] : [])),
  };
}

describe('local and regular activities', () => {
  it('runs a short block as a local activity and a block with a long timeout as a regular one', async () => {
    const handle = await t.start(`
name: short-and-long
blocks:
  - id: quick
    type: code
    code: return 1
  - id: long
    type: code
    timeoutMs: 60000
    code: return 2
`);
    await handle.result();
    const calls = await executorCallsIn(handle.workflowId);
    // A marker for the short block's invoke (and the store step writing the output), recorded in the workflow
    // task; the long block went through the server.
    expect(calls.local.map((marker) => marker.activity_type)).toEqual(['runBlock', 'finishRun']);
    expect(calls.regular).toEqual([{ type: 'runBlock', startToCloseMs: 90_000 }]);
    expect(calls.kinds).toEqual(['TemporalChangeVersion', 'core_local_activity', 'core_patch']);
    expect(t.attempts(handle.workflowId, 'quick')).toHaveLength(1);
    expect(t.attempts(handle.workflowId, 'long')).toHaveLength(1);
  });

  it("retries a local block's infrastructure failures within one user attempt, the long backoffs on durable timers", async () => {
    const handle = await t.start(`
name: flaky-executor
blocks:
  - id: quick
    type: code
    code: return 1
`, {
      // The executor itself fails (not the user's code): Temporal's retry, 1 s, 2 s, 4 s apart.
      quick: (input) => {
        if (Context.current().info.attempt < 4) throw ApplicationFailure.retryable('executor unavailable', 'ExecutorError');
        return ok(input);
      },
    });
    await handle.result();
    // Four invocations, one user attempt: context.attempt stays 1.
    expect(t.attempts(handle.workflowId, 'quick').map((input) => input.attempt)).toEqual([1, 1, 1, 1]);
    expect((await t.status(handle)).blocks.quick).toMatchObject({ status: 'completed', attempts: 1 });
    const calls = await executorCallsIn(handle.workflowId);
    // The 1 s and 2 s backoffs stay in the worker; the 4 s one, past the threshold, is a timer in history.
    expect(calls.timersMs).toEqual([4_000]);
    expect(calls.timersMs.every((ms) => (ms ?? 0) > LOCAL_RETRY_THRESHOLD_MS)).toBe(true);
    expect(calls.regular).toEqual([]);
    expect(calls.local.length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('waits out a Retry-After between user attempts of a local block on a timer', async () => {
    const handle = await t.start(`
name: retry-after
blocks:
  - id: busy
    type: code
    retry: { maxAttempts: 2, initialIntervalMs: 10 }
    code: return 1
`, {
      // As the db-connector replies to a 429 with Retry-After: 1.5.
      busy: (input) =>
        input.attempt === 1 ? { ok: false, error: { type: 'HttpError', message: '429', retryable: true, retryAfterMs: 1_500 } } : ok(input),
    });
    await handle.result();
    expect(t.attempts(handle.workflowId, 'busy').map((input) => input.attempt)).toEqual([1, 2]);
    const calls = await executorCallsIn(handle.workflowId);
    expect(calls.timersMs).toEqual([1_500]);
    expect(calls.local.map((marker) => marker.activity_type)).toEqual(['runBlock', 'runBlock']);
  });
});

describe('retries', () => {
  it('runs a block again under its own policy, counting attempts, until it completes', async () => {
    const handle = await t.start(
      `
name: retries
blocks:
  - id: flaky
    type: code
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
    code: return 1
`,
      { flaky: (input) => (input.attempt < 3 ? failed(`attempt ${input.attempt} failed`, true) : ok(input)) },
    );
    await handle.result();
    expect(t.attempts(handle.workflowId, 'flaky').map((input) => input.attempt)).toEqual([1, 2, 3]);
    expect((await t.status(handle)).blocks.flaky).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it('stops after maxAttempts and fails the run with the last error', async () => {
    const handle = await t.start(
      `
name: retries-spent
blocks:
  - id: flaky
    type: code
    retry: { maxAttempts: 2, initialIntervalMs: 10 }
    code: return 1
`,
      { flaky: (input) => failed(`attempt ${input.attempt} failed`, true) },
    );
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe(BLOCK_FAILED);
    expect(failure.message).toBe('block "flaky" failed: attempt 2 failed');
    expect(t.attempts(handle.workflowId, 'flaky')).toHaveLength(2);
  });

  it('does not retry an error its executor says cannot pass, whatever the policy', async () => {
    const handle = await t.start(
      `
name: non-retryable
blocks:
  - id: strict
    type: code
    retry: { maxAttempts: 5, initialIntervalMs: 10 }
    code: return 1
`,
      { strict: () => failed('result is too large', false, 'ResultTooLarge') },
    );
    const failure = await failureOf(handle.result());
    expect(failure.details).toEqual([{ blockId: 'strict', type: 'ResultTooLarge', rootMessage: 'result is too large', message: 'result is too large', responseKnown: true }]);
    expect(t.attempts(handle.workflowId, 'strict')).toHaveLength(1);
    expect((await t.status(handle)).blocks.strict).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'ResultTooLarge' } });
  });
});

describe('branches and skips', () => {
  const yaml = `
name: branching
blocks:
  - id: size
    type: branch
    cases:
      - when: "true"
        then: [big]
    else: [small]
  - id: big
    type: code
    code: return 1
  - id: small
    type: code
    code: return 2
  - id: afterSmall
    type: code
    after: [small]
    code: return 3
  - id: join
    type: code
    after: [big, afterSmall]
    code: return 4
`;

  it('runs the side the branch took, skips the other side and what only it leads to, and joins', async () => {
    const handle = await t.start(yaml, { size: (input) => ok(input, { decision: { taken: 0 } }) });
    await handle.result();
    const { blocks } = await t.status(handle);
    expect(Object.fromEntries(Object.entries(blocks).map(([id, state]) => [id, state.status]))).toEqual({
      size: 'completed',
      big: 'completed',
      small: 'skipped',
      afterSmall: 'skipped',
      join: 'completed',
    });
    expect(blocks.size?.taken).toBe(0);
    const ran = t.calls(handle.workflowId).filter((call) => call.activity === 'runBlock').map((call) => call.input.blockId);
    expect(ran).toEqual(['size', 'big', 'join']);
    // join saw afterSmall skipped; as the last block it wrote the run's output itself: no finishRun step.
    expect(t.attempts(handle.workflowId, 'join')[0]).toMatchObject({ finish: { outputBlocks: ['join'] } });
    expect(t.calls(handle.workflowId).map((call) => call.activity)).not.toContain('finishRun');
  });

  it('takes else, and skips a block whose predecessors were all skipped', async () => {
    const handle = await t.start(yaml, { size: (input) => ok(input, { decision: { taken: 'else' } }) });
    await handle.result();
    const { blocks } = await t.status(handle);
    expect([blocks.big?.status, blocks.small?.status, blocks.afterSmall?.status, blocks.join?.status]).toEqual([
      'skipped',
      'completed',
      'completed',
      'completed',
    ]);
  });
});

describe('a failing block', () => {
  it.each([
    ['a local activity', ''],
    ['a regular activity', 'timeoutMs: 60000'],
  ])('cancels the blocks still running (%s) and those waiting, and fails the run naming it', async (_kind, timeout) => {
    const handle = await t.start(
      `
name: fails
blocks:
  - id: slow
    type: code
    ${timeout}
    code: return 1
  - id: broken
    type: code
    code: return 1
  - id: never
    type: code
    after: [broken]
    code: return 1
`,
      { slow: heldUntilCancelled, broken: () => failed('no such customer', true) },
    );
    const failure = await failureOf(handle.result());
    expect(failure.message).toBe('block "broken" failed: no such customer');
    const { status, error, blocks } = await t.status(handle);
    expect(status).toBe('failed');
    expect(error).toMatchObject({ blockId: 'broken', type: 'Error', message: 'no such customer' });
    expect([blocks.slow?.status, blocks.broken?.status, blocks.never?.status]).toEqual(['cancelled', 'failed', 'cancelled']);
    expect(t.attempts(handle.workflowId, 'never')).toEqual([]);
    // A failed block's data is { error }: the workflow records it whatever its executor stored.
    expect(t.calls(handle.workflowId).filter((call) => call.activity === 'recordFailure').map((call) => call.input.blockId)).toEqual([
      'broken',
    ]);
  });

  it('with onError: continue, lets the run go on and complete', async () => {
    const handle = await t.start(
      `
name: continues
blocks:
  - id: shaky
    type: code
    onError: continue
    code: return 1
  - id: after
    type: code
    after: [shaky]
    code: return shaky.error.message
`,
      { shaky: () => failed('out of range', true, 'RangeError') },
    );
    await handle.result();
    const { status, blocks } = await t.status(handle);
    expect(status).toBe('completed');
    expect([blocks.shaky?.status, blocks.after?.status]).toEqual(['failed', 'completed']);
    expect(t.attempts(handle.workflowId, 'after')[0]?.scope).toEqual({ shaky: 'failed' });
  });

  it('runs the onError handlers with the failure in scope, then fails the run; a handler that fails does not change it', async () => {
    const handle = await t.start(
      `
name: handled
blocks:
  - id: broken
    type: code
    code: return 1
  - id: unreached
    type: code
    after: [broken]
    code: return 1
  - id: alert
    type: code
    code: return 1
  - id: page
    type: code
    code: return 1
onError: [alert, page]
`,
      { broken: () => failed('disk full', true), page: () => failed('pager down', true) },
    );
    const failure = await failureOf(handle.result());
    expect(failure.message).toBe('block "broken" failed: disk full');
    const { blocks } = await t.status(handle);
    expect([blocks.unreached?.status, blocks.alert?.status, blocks.page?.status]).toEqual(['cancelled', 'completed', 'failed']);
    expect(t.attempts(handle.workflowId, 'alert')[0]?.runError).toEqual({ blockId: 'broken', type: 'Error', message: 'disk full' });
  });

  it('skips the onError handlers of a run that completes', async () => {
    const handle = await t.start(`
name: unhandled
blocks:
  - id: fine
    type: code
    code: return 1
  - id: alert
    type: code
    code: return 1
onError: [alert]
`);
    await handle.result();
    expect((await t.status(handle)).blocks.alert?.status).toBe('skipped');
    expect(t.attempts(handle.workflowId, 'alert')).toEqual([]);
  });
});

describe('loops', () => {
  it('runs the body once per item, at most `concurrency` at a time, and collects the items', async () => {
    let inFlight = 0;
    let most = 0;
    const handle = await t.start(
      `
name: looping
blocks:
  - id: each
    type: loop
    over: "[1, 2, 3, 4, 5]"
    concurrency: 2
    body:
      type: code
      code: return item
`,
      {
        each: async (input) => {
          if (input.item === undefined) return ok(input, { decision: { items: 5 } });
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 30));
          inFlight--;
          return ok(input);
        },
      },
    );
    await handle.result();
    const [first, ...items] = t.attempts(handle.workflowId, 'each').map((input) => input.item);
    // The loop's own call (no item) counts the items; then each item once, two at a time in any order.
    expect(first).toBeUndefined();
    expect(items.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect((await t.status(handle)).blocks.each).toMatchObject({ status: 'completed', items: { total: 5, completed: 5, failed: 0 } });
    expect(t.calls(handle.workflowId).find((call) => call.activity === 'collectLoop')?.input).toMatchObject({ blockId: 'each', count: 5 });
  });

  it('fails the loop at the first item that fails, naming it', async () => {
    const handle = await t.start(
      `
name: loop-fails
blocks:
  - id: each
    type: loop
    over: "[1, 2, 3]"
    body:
      type: code
      code: return item
`,
      { each: (input) => (input.item === undefined ? ok(input, { decision: { items: 3 } }) : input.item === 1 ? failed('bad item', true) : ok(input)) },
    );
    const failure = await failureOf(handle.result());
    expect(failure.message).toBe('block "each" failed: item 1: bad item');
    // concurrency 1: item 2 never started.
    expect(t.attempts(handle.workflowId, 'each').map((input) => input.item)).toEqual([undefined, 0, 1]);
  });

  it('runs a loop of MAX_LOOP_ITEMS local items in batches whose histories all stay under the warning limit', async () => {
    const handle = await t.start(
      `
name: loop-max
blocks:
  - id: each
    type: loop
    over: trigger.data
    concurrency: ${MAX_LOOP_CONCURRENCY}
    body:
      type: code
      code: return item
`,
      { each: (input) => (input.item === undefined ? ok(input, { decision: { items: MAX_LOOP_ITEMS } }) : ok(input)) },
    );
    await handle.result();
    expect((await t.status(handle)).blocks.each?.items).toEqual({ total: MAX_LOOP_ITEMS, completed: MAX_LOOP_ITEMS, failed: 0 });
    const executions = [handle.workflowId];
    for (let from = 0; from < MAX_LOOP_ITEMS; from += ITEMS_PER_BATCH) executions.push(`${handle.workflowId}-each-items-${from}`);
    for (const workflowId of executions) {
      const events = (await t.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const length = events.length;
      const markers = events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
      // Each batch ran its items as local activities (the parent: the loop's own call, collectLoop and the fake's finishRun).
      expect(markers, workflowId).toBe(workflowId === handle.workflowId ? 3 : ITEMS_PER_BATCH);
      // Temporal warns past 10,240 events (and fails a run at 51,200): one marker per item keeps a batch far below.
      expect(length, workflowId).toBeLessThan(10_240);
      expect(length, workflowId).toBeGreaterThan(workflowId === handle.workflowId ? 10 : ITEMS_PER_BATCH);
    }
  }, 180_000);
});

describe('waits and cancellation', () => {
  it('waits on a durable timer before the next block', async () => {
    const handle = await t.start(`
name: waits
blocks:
  - id: pause
    type: wait
    duration: 300
  - id: next
    type: code
    after: [pause]
    code: return 1
`);
    await handle.result();
    const { blocks } = await t.status(handle);
    expect(blocks.next!.startedAt! - blocks.pause!.startedAt!).toBeGreaterThanOrEqual(300);
  });

  it('ends a cancelled run CANCELLED, its running block cancelled and the rest with it', async () => {
    const handle = await t.start(
      `
name: cancelled
blocks:
  - id: slow
    type: code
    code: return 1
  - id: next
    type: code
    after: [slow]
    code: return 1
`,
      { slow: heldUntilCancelled },
    );
    await expect.poll(async () => t.attempts(handle.workflowId, 'slow').length).toBe(1);
    await handle.cancel();
    const error = await handle.result().then(
      () => undefined,
      (caught: unknown) => caught as WorkflowFailedError,
    );
    expect(error?.cause).toBeInstanceOf(CancelledFailure);
    const { status, blocks } = await t.status(handle);
    expect([status, blocks.slow?.status, blocks.next?.status]).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });
});

describe('workflow steps', () => {
  const child = `
name: kid
blocks:
  - id: hold
    type: code
    code: return 1
`;

  it('runs the child run and adopts its output as the step data', async () => {
    const handle = await t.start(
      `
name: parent
blocks:
  - id: call
    type: workflow
    workflow: kid
`,
      {},
      [child],
    );
    await handle.result();
    const { blocks } = await t.status(handle);
    expect(blocks.call).toMatchObject({ status: 'completed', childRunId: `${handle.workflowId}-call` });
    expect(t.calls(handle.workflowId).find((call) => call.activity === 'adoptChildOutput')?.input).toMatchObject({
      childRunId: `${handle.workflowId}-call`,
    });
  });

  it('does not retry a plan error: a workflow the run did not pin when it started', async () => {
    const handle = await t.start(`
name: unpinned
blocks:
  - id: call
    type: workflow
    workflow: nowhere
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
`);
    const failure = await failureOf(handle.result());
    expect(failure.details).toEqual([{ blockId: 'call', type: 'UnknownWorkflow', rootMessage: 'workflow "nowhere" was not found when the run started', message: 'workflow "nowhere" was not found when the run started', responseKnown: true }]);
    expect((await t.status(handle)).blocks.call).toMatchObject({ status: 'failed', attempts: 1 });
    // It failed before any executor was asked to write the child's trigger.
    expect(t.attempts(handle.workflowId, 'call')).toEqual([]);
  });

  it('fails the step when its child run is cancelled on its own, and the block after it does not run', async () => {
    const handle = await t.start(
      `
name: parent-of-cancelled
blocks:
  - id: call
    type: workflow
    workflow: kid
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
  - id: next
    type: code
    after: [call]
    code: return call.data
`,
      { hold: heldUntilCancelled },
      [child],
    );
    const childRunId = `${handle.workflowId}-call`;
    await expect.poll(async () => t.attempts(childRunId, 'hold').length).toBe(1);
    await t.env.client.workflow.getHandle(childRunId).cancel();
    const failure = await failureOf(handle.result());
    expect(failure.message).toBe(`block "call" failed: child run ${childRunId} was cancelled`);
    const { blocks } = await t.status(handle);
    // Someone cancelled the child on purpose: starting it again would undo that, so the step is not retried.
    expect(blocks.call).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'ChildRunCancelled' } });
    expect(blocks.next?.status).toBe('cancelled');
    expect(t.attempts(handle.workflowId, 'next')).toEqual([]);
  });

  it('cancels the child run with its parent, and the parent ends CANCELLED', async () => {
    const handle = await t.start(
      `
name: cancelled-parent
blocks:
  - id: call
    type: workflow
    workflow: kid
`,
      { hold: heldUntilCancelled },
      [child],
    );
    const childRunId = `${handle.workflowId}-call`;
    await expect.poll(async () => t.attempts(childRunId, 'hold').length).toBe(1);
    await handle.cancel();
    const error = await handle.result().then(
      () => undefined,
      (caught: unknown) => caught as WorkflowFailedError,
    );
    expect(error?.cause).toBeInstanceOf(CancelledFailure);
    expect((await t.status(handle)).blocks.call?.status).toBe('cancelled');
    expect((await t.env.client.workflow.getHandle(childRunId).describe()).status.name).toBe('CANCELLED');
  });
});
