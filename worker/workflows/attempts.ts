/**
 * One step's attempts under its own retry policy. The workflow counts the
 * attempts, so `context.attempt` is the user's attempt; infrastructure
 * retries (the executor or the network failed) happen inside one attempt, in
 * Temporal's activity retry, and never use one up.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, isCancellation, sleep } from '@temporalio/workflow';
import { MAX_RETRY_AFTER_MS, type BlockError, type RetryPlan } from '../../shared/contract/index.ts';

export type AttemptOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BlockError };
export type StepEnd<T> =
  | { readonly status: 'completed'; readonly value: T }
  | { readonly status: 'failed'; readonly error: BlockError }
  | { readonly status: 'cancelled' };

export function backoffMs(retry: RetryPlan, failedAttempt: number): number {
  return Math.min(retry.initialIntervalMs * retry.backoffCoefficient ** (failedAttempt - 1), retry.maxIntervalMs);
}

/** What an activity or child failure says, once Temporal's own retries are spent. */
export function describeFailure(error: unknown): BlockError {
  if ((error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && error.cause instanceof ApplicationFailure) {
    return { message: error.cause.message, type: error.cause.type ?? 'ExecutorError' };
  }
  if (error instanceof ChildWorkflowFailure && error.cause) return { message: error.cause.message, type: error.cause.name };
  return { message: error instanceof Error ? error.message : String(error), type: 'ExecutorError' };
}

export interface AttemptCounter {
  attempts: number;
  error?: BlockError;
}

export async function withRetries<T>(
  retry: RetryPlan,
  counter: AttemptCounter,
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
): Promise<StepEnd<T>> {
  let retryAfterMs = 0;
  for (let n = 1; ; n++) {
    try {
      // A Retry-After the step's source sent is honoured (up to an hour) even past the block's own backoff.
      if (n > 1) await sleep(Math.max(backoffMs(retry, n - 1), Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)));
      counter.attempts = n;
      const outcome = await attempt(n);
      if (outcome.ok) {
        delete counter.error;
        return { status: 'completed', value: outcome.value };
      }
      retryAfterMs = outcome.error.retryAfterMs ?? 0;
      counter.error = {
        message: outcome.error.message,
        type: outcome.error.type,
        ...(outcome.error.rootMessage !== undefined ? { rootMessage: outcome.error.rootMessage } : {}),
      };
      if (outcome.error.retryable === true && n < retry.maxAttempts) continue;
      return { status: 'failed', error: counter.error };
    } catch (error) {
      if (isCancellation(error)) return { status: 'cancelled' };
      counter.error = describeFailure(error);
      return { status: 'failed', error: counter.error };
    }
  }
}
