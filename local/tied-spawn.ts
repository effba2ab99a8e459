/**
 * Spawns a native program (the Temporal CLI's dev server) so that it dies
 * with this process, even when this process is killed with SIGKILL and
 * cannot stop it: on Linux through `setpriv --pdeathsig KILL` (the kernel
 * sends the signal when the parent exits; it survives the exec), elsewhere
 * through bin/parent-guard.js, which polls its parent pid.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GUARD = fileURLToPath(new URL('../bin/parent-guard.js', import.meta.url));

function setprivPath(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const dir of ['/usr/bin', '/bin', ...(process.env.PATH ?? '').split(delimiter)]) {
    const candidate = join(dir, 'setpriv');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export type TiedBy = 'pdeathsig' | 'guard';

export function spawnTied(program: string, args: readonly string[], options: SpawnOptions): { child: ChildProcess; tiedBy: TiedBy } {
  const setpriv = setprivPath();
  if (setpriv) return { child: spawn(setpriv, ['--pdeathsig', 'KILL', '--', program, ...args], options), tiedBy: 'pdeathsig' };
  return { child: spawn(process.execPath, [GUARD, program, ...args], options), tiedBy: 'guard' };
}
