/**
 * What is listening at TEMPORAL_ADDRESS when the embedded stack did not start
 * it, in words for the user: the dev server of a `baton dev` that is running,
 * one an earlier `baton dev` left behind when it was killed (an orphan, which
 * is stopped so a fresh one with its Web UI takes its place), or a server
 * Baton did not start at all (a self-hosted cluster, another tool's dev
 * server), which is used and never stopped.
 */
import { readFileSync } from 'node:fs';
import { readDevServerState, type DevServerState } from './dev-server.ts';

export type ForeignServer =
  | { readonly kind: 'other-baton'; readonly state: DevServerState }
  | { readonly kind: 'orphan'; readonly state: DevServerState }
  | { readonly kind: 'unknown' };

/** A zombie (exited, not yet reaped by whoever adopted it) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** On Linux, checks that the pid is still a `temporal server start-dev` (a pid may be reused). */
function isDevServer(pid: number): boolean {
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('start-dev');
  } catch {
    return false;
  }
}

export function identifyServer(address: string, stateFile: string | undefined): ForeignServer {
  const state = stateFile ? readDevServerState(stateFile) : undefined;
  if (!state || state.address !== address || !alive(state.pid) || !isDevServer(state.pid)) return { kind: 'unknown' };
  return alive(state.ownerPid) && state.ownerPid !== process.pid ? { kind: 'other-baton', state } : { kind: 'orphan', state };
}

export function describeServer(address: string, server: ForeignServer): string {
  switch (server.kind) {
    case 'other-baton':
      return `using the Temporal dev server at ${address} (pid ${server.state.pid}) of the baton running as pid ${server.state.ownerPid}; this command did not start it and will not stop it`;
    case 'orphan':
      return (
        `found a Temporal dev server at ${address} (pid ${server.state.pid}) left running by an earlier baton ` +
        `(pid ${server.state.ownerPid}, gone) that could not stop it: stopping it and starting a new one`
      );
    case 'unknown':
      return (
        `found a Temporal server at ${address} that Baton did not start: using it as it is ` +
        '(no Web UI or codec server from here, and it keeps running after this command ends); ' +
        'stop it, or set TEMPORAL_ADDRESS to a free port, to have Baton start its own'
      );
  }
}

/** Stops an orphaned dev server: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopOrphan(pid: number, graceMs = 5000): Promise<void> {
  const deadline = Date.now() + graceMs;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}
