/** How many runs held a concurrency slot at once, from their statuses (the tests of concurrency limits). */
import type { RunStatus } from '../../shared/contract/index.ts';

/** When a run held its slot: from its first block's start to its last block's end (workflow times). */
export function heldInterval(status: RunStatus, first = 'hold', last = 'echo'): { from: number; to: number } {
  const from = status.blocks[first]?.startedAt;
  const to = status.blocks[last]?.endedAt;
  if (from === undefined || to === undefined) throw new Error(`run ${status.runId} has no timings for blocks ${first} and ${last}`);
  return { from, to };
}

/** The most intervals that overlap at any moment; one ending when another starts does not overlap it. */
export function mostAtOnce(intervals: ReadonlyArray<{ from: number; to: number }>): number {
  const events = intervals.flatMap(({ from, to }) => [
    { at: from, delta: 1 },
    { at: to, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const { delta } of events) {
    now += delta;
    most = Math.max(most, now);
  }
  return most;
}
