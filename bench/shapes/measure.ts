/**
 * Baton and plain Temporal on one shape, measured side by side: a warm-up,
 * end-to-end latency of runs one at a time, then throughput with a fixed
 * number of runs in flight, while the stack's processes are watched for CPU
 * and RSS.
 *
 * The two systems take turns (a Baton run, a plain run, ...; then throughput
 * windows Baton, plain, Baton, plain, ...) rather than one after the other:
 * on a shared machine whose speed drifts by tens of percent over minutes, a
 * ratio of two measurements taken minutes apart says more about the drift
 * than about the systems.
 */
import { summarize } from '../support/stats.ts';
import { watchUsage, type UsageWindow } from '../support/usage.ts';

export interface PhasePlan {
  readonly warmupRuns: number;
  /** Runs one at a time, per system. */
  readonly latencyRuns: number;
  /** The latency phase stops early after this long (long shapes at full size). */
  readonly latencyMaxMs: number;
  /** Throughput time per system, split into `throughputRounds` alternating windows. */
  readonly throughputMs: number;
  readonly throughputRounds: number;
}

export interface SystemResult {
  readonly latency: ReturnType<typeof summarize>;
  readonly throughput: { readonly runs: number; readonly seconds: number; readonly runsPerSecond: number; readonly concurrency: number };
  readonly usage: UsageWindow;
}

export interface System {
  readonly once: () => Promise<void>;
  /** The processes whose CPU and memory count for this system. */
  readonly pids: Readonly<Record<string, number>>;
}

/** Runs keep starting until the window closes; the ones in flight then are waited for and counted. */
async function throughputWindow(system: System, concurrency: number, ms: number): Promise<{ runs: number; usage: UsageWindow }> {
  const window = watchUsage(system.pids);
  const start = performance.now();
  let runs = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < ms) {
        await system.once();
        runs++;
      }
    }),
  );
  return { runs, usage: window.close() };
}

/** Several windows as one: CPU and wall time added up, the highest RSS kept. */
function combine(windows: readonly UsageWindow[]): UsageWindow {
  const cpuMs: Record<string, number> = {};
  const peakRssBytes: Record<string, number> = {};
  for (const window of windows) {
    for (const [name, ms] of Object.entries(window.cpuMs)) cpuMs[name] = (cpuMs[name] ?? 0) + ms;
    for (const [name, bytes] of Object.entries(window.peakRssBytes)) peakRssBytes[name] = Math.max(peakRssBytes[name] ?? 0, bytes);
  }
  return { cpuMs, peakRssBytes, wallMs: windows.reduce((sum, window) => sum + window.wallMs, 0) };
}

export async function measurePair(options: {
  readonly baton: System;
  readonly plain: System;
  readonly plan: PhasePlan;
  readonly concurrency: number;
  readonly log?: (line: string) => void;
}): Promise<{ baton: SystemResult; plain: SystemResult }> {
  const { plan, concurrency } = options;
  const systems = { baton: options.baton, plain: options.plain } as const;
  const names = ['baton', 'plain'] as const;
  for (let i = 0; i < plan.warmupRuns; i++) for (const name of names) await systems[name].once();

  options.log?.('latency, one run at a time, taking turns');
  const latencies = { baton: [] as number[], plain: [] as number[] };
  const latencyStart = performance.now();
  while (latencies.baton.length < plan.latencyRuns && performance.now() - latencyStart < plan.latencyMaxMs) {
    for (const name of names) {
      const start = performance.now();
      await systems[name].once();
      latencies[name].push(performance.now() - start);
    }
  }

  options.log?.(`throughput, ${concurrency} runs in flight, ${plan.throughputRounds} windows each, taking turns`);
  const windows = { baton: [] as Array<{ runs: number; usage: UsageWindow }>, plain: [] as Array<{ runs: number; usage: UsageWindow }> };
  for (let round = 0; round < plan.throughputRounds; round++) {
    for (const name of names) windows[name].push(await throughputWindow(systems[name], concurrency, plan.throughputMs / plan.throughputRounds));
  }

  const resultOf = (name: (typeof names)[number]): SystemResult => {
    const usage = combine(windows[name].map((w) => w.usage));
    const runs = windows[name].reduce((sum, w) => sum + w.runs, 0);
    const seconds = usage.wallMs / 1000;
    return { latency: summarize(latencies[name]), throughput: { runs, seconds, runsPerSecond: runs / seconds, concurrency }, usage };
  };
  return { baton: resultOf('baton'), plain: resultOf('plain') };
}
