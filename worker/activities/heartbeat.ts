/**
 * Heartbeats while an activity waits on something slow (a Lambda invoke, the
 * result store), a few times per heartbeat timeout, so a worker that dies
 * mid-step is noticed after that timeout and the step retried on another
 * worker, instead of after its whole start-to-close timeout. Work that ends
 * within a third of the timeout sends no heartbeat, so short steps cost no
 * extra call to the server.
 */
import { Context } from '@temporalio/activity';

export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    // not inside an activity (a direct call): nothing to tell
  }
  const timeoutMs = context?.info.heartbeatTimeoutMs;
  if (!context || !timeoutMs) return work();
  const timer = setInterval(() => context.heartbeat(), Math.max(1000, timeoutMs / 3));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
