/**
 * Heartbeats while an activity waits on something slow (a Lambda invoke, the
 * result store), a few times per heartbeat timeout, so a worker that dies
 * mid-step is noticed after that timeout and the step retried on another
 * worker, instead of after its whole start-to-close timeout. Work that ends
 * within a third of the timeout sends no heartbeat, so short steps cost no
 * extra call to the server. The work is given the activity's cancellation
 * signal, so a cancelled step stops waiting on its executor (a local activity
 * is told at once; a regular one at its next heartbeat).
 */
import { Context } from '@temporalio/activity';

export async function whileHeartbeating<T>(work: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    // not inside an activity (a direct call): nothing to tell
  }
  const timeoutMs = context?.info.heartbeatTimeoutMs;
  if (!context || !timeoutMs) return work(context?.cancellationSignal);
  const timer = setInterval(() => context.heartbeat(), Math.max(1000, timeoutMs / 3));
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
