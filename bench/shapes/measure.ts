/**
 * One system (Baton or plain) on one shape: a warm-up, end-to-end latency of
 * runs one at a time, then throughput with a fixed number of runs in flight
 * for a fixed time, while the stack's processes are watched for CPU and RSS.
 */
import { summarize } from '../support/stats.ts';
import { watchUsage, type UsageWindow } from '../support/usage.ts';

export interface PhasePlan {
  readonly warmupRuns: number;
  readonly latencyRuns: number;
  /** The latency phase stops early after this long (long shapes at full size). */
  readonly latencyMaxMs: number;
  readonly throughputMs: number;
}

export interface SystemResult {
  readonly latency: ReturnType<typeof summarize>;
  readonly throughput: { readonly runs: number; readonly seconds: number; readonly runsPerSecond: number; readonly concurrency: number };
  readonly usage: UsageWindow;
}

export async function measureSystem(options: {
  readonly once: () => Promise<void>;
  readonly plan: PhasePlan;
  readonly concurrency: number;
  /** The processes whose CPU and memory count for this system. */
  readonly pids: Readonly<Record<string, number>>;
}): Promise<SystemResult> {
  const { once, plan } = options;
  for (let i = 0; i < plan.warmupRuns; i++) await once();

  const latencies: number[] = [];
  const latencyStart = performance.now();
  while (latencies.length < plan.latencyRuns && performance.now() - latencyStart < plan.latencyMaxMs) {
    const start = performance.now();
    await once();
    latencies.push(performance.now() - start);
  }

  // Runs keep starting until the window closes; the ones in flight then are waited for and counted.
  const window = watchUsage(options.pids);
  const start = performance.now();
  let runs = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() - start < plan.throughputMs) {
        await once();
        runs++;
      }
    }),
  );
  const usage = window.close();
  const seconds = usage.wallMs / 1000;
  return {
    latency: summarize(latencies),
    throughput: { runs, seconds, runsPerSecond: runs / seconds, concurrency: options.concurrency },
    usage,
  };
}
