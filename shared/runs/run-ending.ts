/**
 * How a closed run ended, read from its close event (one history read, no
 * worker involved), for the sync trigger's answer to a replayed call. A
 * status query would also do, but on a closed run it makes a worker replay
 * the whole history, and on a running one it waits for any local step
 * holding the run's workflow task.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { BLOCK_FAILED, type BatonRunResult, type RunFailureDetails, type RunResponse } from '../contract/index.ts';

export type RunEnding =
  | { readonly status: 'completed'; readonly response?: RunResponse }
  | { readonly status: 'failed'; readonly response?: RunResponse; readonly error?: { readonly blockId: string; readonly message: string } }
  | { readonly status: 'cancelled' | 'terminated' | 'timed_out' };

/**
 * The ending of a run that has closed; undefined when it has not, or when it
 * ran on code older than `responseKnown` (the caller asks the run instead).
 */
export async function runEnding(client: Client, runId: string): Promise<RunEnding | undefined> {
  const handle = client.workflow.getHandle(runId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return undefined;
  try {
    const result = (await handle.result()) as BatonRunResult;
    if (!result.responseKnown) return undefined;
    return { status: 'completed', ...(result.response ? { response: result.response } : {}) };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    if (cause instanceof CancelledFailure) return { status: 'cancelled' };
    if (cause instanceof TerminatedFailure) return { status: 'terminated' };
    if (cause instanceof TimeoutFailure) return { status: 'timed_out' };
    if (!(cause instanceof ApplicationFailure) || cause.type !== BLOCK_FAILED) return undefined;
    const details = cause.details?.[0] as Partial<RunFailureDetails> | undefined;
    if (!details?.responseKnown || typeof details.blockId !== 'string') return undefined;
    return {
      status: 'failed',
      ...(details.response ? { response: details.response } : {}),
      error: { blockId: details.blockId, message: details.message ?? details.rootMessage ?? '' },
    };
  }
}
