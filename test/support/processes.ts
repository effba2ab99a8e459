/** Process trees as Linux /proc shows them, for the tests that kill a stack and look for what is left. */
import { readdirSync, readFileSync } from 'node:fs';

interface Stat {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

function allStats(): Stat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((s): s is Stat => s !== undefined);
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const stats = allStats();
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = stats.filter((s) => frontier.includes(s.ppid) && s.state !== 'Z').map((s) => s.pid);
    found.push(...children);
    frontier = children;
  }
  return found;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Resolves once none of `pids` is alive; rejects after `ms` naming the survivors. */
export async function allGone(pids: readonly number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter(isAlive);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still running after ${ms} ms: ${left.map((pid) => `${pid} (${commandLine(pid)})`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
