/**
 * The run's side of a concurrency limit (the gate is gate.ts): a limited run
 * tells its gate it is there, shows as queued until its slot is granted, and
 * leaves the gate when it ends however it ends; cancelled while queued, it
 * leaves the queue. Runs without a limit never touch any of this, so their
 * histories are what they were.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { leaveSignal, slotGrantedSignal, QUEUED_MEMO, type BatonRunInput, type BatonRunResult, type GateActivities, type RunLimit } from '../../shared/contract/index.ts';
import { INFRASTRUCTURE_RETRY } from './steps.ts';
import { runMetrics } from './run-metrics.ts';

const gateActivities = proxyActivities<GateActivities>({ startToCloseTimeout: '1m', retry: INFRASTRUCTURE_RETRY });

/** Waits for the run's slot: its turn (the order the gate let runs in), or 'cancelled' when the run was cancelled while it waited. */
export async function waitForSlot(limit: RunLimit, workflowName: string): Promise<{ readonly turn: number } | 'cancelled'> {
  // Granted as it entered (the usual case under the limit): no round trip to the gate at all.
  if (!limit.queued && limit.turn !== undefined) return { turn: limit.turn };
  const runId = workflowInfo().workflowId;
  let granted: number | undefined;
  setHandler(slotGrantedSignal, ({ turn }) => {
    granted ??= turn;
  });
  const tags = { workflow: workflowName };
  const queuedAt = Date.now();
  if (limit.queued) {
    upsertMemo({ [QUEUED_MEMO]: true });
    runMetrics.queued(tags);
  }
  try {
    await gateActivities.arriveAtGate({ gateId: limit.gateId, limit: limit.limit, runId });
    await condition(() => granted !== undefined);
  } catch (error) {
    if (isCancellation(error)) {
      if (limit.queued) runMetrics.dequeued({ ...tags, outcome: 'cancelled' });
      return 'cancelled';
    }
    throw error;
  } finally {
    if (limit.queued) upsertMemo({ [QUEUED_MEMO]: null });
  }
  if (limit.queued) {
    runMetrics.dequeued({ ...tags, outcome: 'granted' });
    runMetrics.queueWait(tags, Date.now() - queuedAt);
  }
  return { turn: granted ?? 0 };
}

/** Frees the run's slot (or its place in the queue); a gate that has already let it go ignores this. */
async function leaveGate(limit: RunLimit): Promise<void> {
  const runId = workflowInfo().workflowId;
  await CancellationScope.nonCancellable(() =>
    getExternalWorkflowHandle(limit.gateId)
      .signal(leaveSignal, { runId })
      // No gate running: it already let the run go (its periodic check), so there is nothing to free.
      .catch(() => undefined),
  );
}

/** Runs the interpreter, leaving the gate afterwards whatever happened, when the run has a limit. */
export async function withRunLimit(input: BatonRunInput, run: () => Promise<BatonRunResult>): Promise<BatonRunResult> {
  if (!input.limit) return run();
  try {
    return await run();
  } finally {
    await leaveGate(input.limit);
  }
}
