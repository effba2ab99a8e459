/**
 * Loop bodies: items run with the loop's concurrency, each under the body's
 * own retry policy; results are stored per item and assembled in item order.
 * Up to ITEMS_PER_BATCH items run inside the run's own workflow; longer loops
 * run in child workflows of that many items each, one after another, so no
 * history grows past Temporal's limits at 10,000 items.
 */
import { executeChild, patched } from '@temporalio/workflow';
import { ITEMS_PER_BATCH, WORKFLOW_TASK_TIMEOUT_MS, type BlockError, type LoopProgress, type LoopBodyPlan } from '../../shared/contract/index.ts';
import { withRetries } from './attempts.ts';
import { LOCAL_ACTIVITIES_PATCH, runStepAttempt, storeActivities, type StepTarget } from './steps.ts';

export interface ItemsOutcome {
  readonly completed: number;
  readonly failed: number;
  /** The first item that failed the loop (a body without onError: continue). */
  readonly failure?: { readonly index: number; readonly error: BlockError };
  readonly cancelled?: boolean;
}

type ItemTarget = Omit<StepTarget, 'item' | 'onChild' | 'step'> & { readonly step: LoopBodyPlan };

/** Runs items [from, to) at most `concurrency` at a time; stops starting new ones after a failure. */
export async function runItems(
  target: ItemTarget,
  from: number,
  to: number,
  concurrency: number,
  progress: LoopProgress,
  localSteps: boolean,
): Promise<ItemsOutcome> {
  let next = from;
  let failure: ItemsOutcome['failure'];
  let cancelled = false;
  const startCompleted = progress.completed;
  const startFailed = progress.failed;
  const worker = async () => {
    while (next < to && !failure && !cancelled) {
      const index = next++;
      const counter = { attempts: 0 };
      const end = await withRetries(target.step.retry, counter, (attempt) => runStepAttempt({ ...target, item: index }, attempt, localSteps));
      if (end.status === 'completed') {
        progress.completed++;
      } else if (end.status === 'cancelled') {
        cancelled = true;
      } else {
        progress.failed++;
        // The item's data is { error } either way; with onError: continue the loop goes on.
        await storeActivities(localSteps).recordFailure({ runId: target.runId, blockId: target.blockId, item: index, error: end.error });
        if (target.step.onError !== 'continue') failure ??= { index, error: end.error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(to - from, 0)) }, worker));
  return {
    completed: progress.completed - startCompleted,
    failed: progress.failed - startFailed,
    ...(failure ? { failure } : {}),
    ...(cancelled ? { cancelled } : {}),
  };
}

export interface LoopBatchInput {
  readonly target: ItemTarget;
  readonly from: number;
  readonly to: number;
  readonly concurrency: number;
}

/** A child workflow running one batch of a long loop's items; it takes the patch in its own history, as batonRun does. */
export async function batonLoopBatch(input: LoopBatchInput): Promise<ItemsOutcome> {
  const localSteps = patched(LOCAL_ACTIVITIES_PATCH);
  return runItems(input.target, input.from, input.to, input.concurrency, { total: input.to - input.from, completed: 0, failed: 0 }, localSteps);
}

/** All of a loop's items: inline when few, else batch by batch in child workflows. */
export async function runLoop(
  target: ItemTarget,
  count: number,
  concurrency: number,
  progress: LoopProgress,
  localSteps: boolean,
  itemsPerBatch = ITEMS_PER_BATCH,
): Promise<ItemsOutcome> {
  if (count <= itemsPerBatch) return runItems(target, 0, count, concurrency, progress, localSteps);
  for (let from = 0; from < count; from += itemsPerBatch) {
    const to = Math.min(from + itemsPerBatch, count);
    const outcome = await executeChild(batonLoopBatch, {
      workflowId: `${target.runId}-${target.blockId}-items-${from}`,
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT_MS,
      args: [{ target, from, to, concurrency }],
    });
    progress.completed += outcome.completed;
    progress.failed += outcome.failed;
    if (outcome.failure || outcome.cancelled) return { ...outcome, completed: progress.completed, failed: progress.failed };
  }
  return { completed: progress.completed, failed: progress.failed };
}
