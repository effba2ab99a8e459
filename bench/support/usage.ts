/**
 * CPU time and memory of processes, read from /proc (Linux). Elsewhere the
 * figures are reported as unavailable rather than guessed.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** User + system CPU milliseconds the process has used so far (all its threads), or NaN. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Resident set size in bytes, or NaN. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface UsageWindow {
  /** CPU ms each process used since the window opened. */
  readonly cpuMs: Record<string, number>;
  /** The largest RSS seen for each process while the window was open. */
  readonly peakRssBytes: Record<string, number>;
  readonly wallMs: number;
}

/** Opens a window over named processes: CPU is differenced, RSS sampled every `sampleMs`. */
export function watchUsage(pids: Readonly<Record<string, number>>, sampleMs = 250): { close(): UsageWindow } {
  const startCpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const peak: Record<string, number> = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name] ?? 0, rssBytes(pid));
  };
  const timer = setInterval(sample, sampleMs);
  const started = performance.now();
  return {
    close() {
      clearInterval(timer);
      sample();
      return {
        cpuMs: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid) - (startCpu[name] ?? NaN)])),
        peakRssBytes: peak,
        wallMs: performance.now() - started,
      };
    },
  };
}
