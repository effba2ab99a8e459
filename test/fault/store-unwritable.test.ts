/**
 * The result store cannot be written for a while. Fault: the results
 * directory is moved aside and a plain file put in its place, so every
 * write (and read) fails with ENOTDIR; chmod would not stop root, which CI
 * runs as. Runs in flight retry and complete once it is back; a run started
 * meanwhile is refused with the reason; blocks that made their side effect
 * but could not store the result are retried without applying it twice.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { chargedOtherThanOnce, FAULT_NAMESPACE, notCompleted, startFaultStack, until, type FaultStack } from './support/fault-stack.ts';

const RUNS = 30;
let stack: FaultStack;

beforeAll(async () => {
  // The proxy sees what the executors answer, whichever kind of activity asked.
  stack = await startFaultStack({ proxy: true });
});

afterAll(async () => {
  await stack?.stop();
});

/** The last failure of any pending step of these runs, as Temporal recorded it (decrypted). */
async function pendingFailures(runIds: readonly string[]): Promise<string[]> {
  const described = await Promise.all(
    runIds.map((workflowId) =>
      stack.client.workflowService.describeWorkflowExecution({ namespace: FAULT_NAMESPACE, execution: { workflowId } }),
    ),
  );
  const failures = described.flatMap((d) => (d.pendingActivities ?? []).map((a) => a.lastFailure).filter((f) => !!f));
  const errors = await Promise.all(
    failures.map((failure) => decodeOptionalFailureToOptionalError(stack.client.workflow.options.loadedDataConverter, failure)),
  );
  return errors.map((error) => error?.message ?? '');
}

it('completes every run once the store is back, and refuses new runs meanwhile with the reason', async () => {
  const { ledger, resultsDir } = stack;
  const runIds = await stack.startRuns(RUNS);
  await until(() => ledger.applied.size >= RUNS / 2);
  // Charges in flight: applied, their answers held until the store is gone.
  ledger.hold();
  await until(() => ledger.held > 0);

  const aside = `${resultsDir}.aside`;
  renameSync(resultsDir, aside);
  writeFileSync(resultsDir, 'the result store is away\n');
  const heldWhenTheStoreWent = ledger.held;
  try {
    ledger.release();
    await expect(stack.startRuns(1)).rejects.toThrow(/result store runs\/run-[^/]+\/trigger: write failed: ENOTDIR/);
    // The blocks that cannot store their results fail, saying so, and are retried: a regular step's failure shows
    // on its pending activity; a local step (the probe's are) retries inside the worker, where its executor's answer says it.
    const storeFailed = /result store .*: write failed: ENOTDIR/;
    await until(
      async () =>
        stack.proxy!.functionErrors.some((answer) => storeFailed.test(answer)) ||
        (await pendingFailures(runIds)).some((message) => storeFailed.test(message)),
      200,
    );
  } finally {
    rmSync(resultsDir);
    renameSync(aside, resultsDir);
  }

  const settled = await stack.settle(runIds, 150_000);
  expect(notCompleted(settled)).toEqual([]);
  for (const run of settled) expect(run.output).toEqual({ receipt: { charged: 200, refunds: 2 } });
  expect(chargedOtherThanOnce(ledger, runIds)).toEqual([]);
  expect(ledger.applied.size).toBe(RUNS * 3);
  expect(ledger.keylessRequests).toBe(0);
  // Each charge answered while the store was away was made again on retry, under its key, and not applied again.
  expect(ledger.duplicateRequests).toBeGreaterThanOrEqual(heldWhenTheStoreWent);
  expect(heldWhenTheStoreWent).toBeGreaterThan(0);
}, 240_000);
