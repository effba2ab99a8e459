/**
 * Baton and the plain Temporal baselines on one shape, measured side by side: a warm-up,
 * end-to-end latency of runs one at a time, then throughput with a fixed
 * number of runs in flight, while the stack's processes are watched for CPU
 * and RSS.
 *
 * The systems take turns (a Baton run, a plain run, a plainLocal run, ...;
 * then throughput windows in the same order, round after round) rather than one after the other:
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

/** Every system on one shape, taking turns in each phase; results by the systems' names. */
export async function measureInTurns<Name extends string>(options: {
  readonly systems: Readonly<Record<Name, System>>;
  readonly plan: PhasePlan;
  readonly concurrency: number;
  readonly log?: (line: string) => void;
}): Promise<Record<Name, SystemResult>> {
  const { plan, concurrency, systems } = options;
  const names = Object.keys(systems) as Name[];
  const each = <T>(make: () => T) => Object.fromEntries(names.map((name) => [name, make()])) as Record<Name, T>;
  for (let i = 0; i < plan.warmupRuns; i++) for (const name of names) await systems[name].once();

  options.log?.('latency, one run at a time, taking turns');
  const latencies = each(() => [] as number[]);
  const latencyStart = performance.now();
  while (latencies[names[0]!].length < plan.latencyRuns && performance.now() - latencyStart < plan.latencyMaxMs) {
    for (const name of names) {
      const start = performance.now();
      await systems[name].once();
      latencies[name].push(performance.now() - start);
    }
  }

  options.log?.(`throughput, ${concurrency} runs in flight, ${plan.throughputRounds} windows each, taking turns`);
  const windows = each(() => [] as Array<{ runs: number; usage: UsageWindow }>);
  for (let round = 0; round < plan.throughputRounds; round++) {
    for (const name of names) windows[name].push(await throughputWindow(systems[name], concurrency, plan.throughputMs / plan.throughputRounds));
  }

  const resultOf = (name: Name): SystemResult => {
    const usage = combine(windows[name].map((w) => w.usage));
    const runs = windows[name].reduce((sum, w) => sum + w.runs, 0);
    const seconds = usage.wallMs / 1000;
    return { latency: summarize(latencies[name]), throughput: { runs, seconds, runsPerSecond: runs / seconds, concurrency }, usage };
  };
  return Object.fromEntries(names.map((name) => [name, resultOf(name)])) as Record<Name, SystemResult>;
}
