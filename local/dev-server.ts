/**
 * The embedded Temporal cluster: `temporal server start-dev` as a child
 * process, with its namespaces registered at start and an optional SQLite
 * file, so runs survive a restart. The server is tied to this process
 * (tied-spawn.ts): it dies with it, even when this process is SIGKILLed. A
 * state file records which process started it, so the next `baton dev` can
 * tell a server it did not start (foreign-server.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { spawnTied } from './tied-spawn.ts';
import { ensureTemporalCli } from './temporal-cli.ts';
import { freePort } from './free-port.ts';

export interface DevServerOptions {
  readonly ip?: string;
  readonly port?: number;
  /** Web UI port; the UI is off when undefined and `ui` is false. */
  readonly uiPort?: number;
  readonly ui?: boolean;
  /** The Web UI's remote codec endpoint, so it shows decoded payloads (local/codec-server.ts). */
  readonly uiCodecEndpoint?: string;
  readonly dbFile?: string;
  readonly namespaces: readonly string[];
  /** Where to record { pid, ownerPid, address } while the server runs (.baton/temporal-dev.json). */
  readonly stateFile?: string;
  readonly log?: (line: string) => void;
}

/** What the state file holds. */
export interface DevServerState {
  readonly pid: number;
  readonly ownerPid: number;
  readonly address: string;
  readonly startedAt: string;
}

export function readDevServerState(file: string): DevServerState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevServerState>;
    if (typeof state.pid === 'number' && typeof state.ownerPid === 'number' && typeof state.address === 'string') {
      return { pid: state.pid, ownerPid: state.ownerPid, address: state.address, startedAt: String(state.startedAt ?? '') };
    }
  } catch {
    // no file, or not ours: nothing recorded
  }
  return undefined;
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

const SQLITE_FILE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL', 'busy_timeout=5000'];

/**
 * The dev server runs one history shard, and every shard reads its task
 * queues at most `*ProcessorMaxPollRPS` times a second (20 by default): on
 * one shard that caps the whole server, and each workflow or activity task
 * waited ~40 ms for its read. Eager activity execution hands a workflow's
 * next activity back in the same response that schedules it, when the worker
 * has a free slot, saving a matching round trip and its writes. (Updates
 * answer a sync trigger's response.)
 */
export const TUNED_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'history.transferProcessorMaxPollRPS': 10_000,
  'history.timerProcessorMaxPollRPS': 10_000,
  'history.visibilityProcessorMaxPollRPS': 10_000,
  'system.enableActivityEagerExecution': true,
};

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = await ensureTemporalCli();
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'error'];
  let uiUrl: string | undefined;
  if (options.ui) {
    // The CLI's own convention: the UI on the gRPC port + 1000 (8233 for 7233).
    const uiPort = options.uiPort ?? port + 1000;
    args.push('--ui-port', String(uiPort));
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
    uiUrl = `http://${ip}:${uiPort}`;
  } else {
    args.push('--headless');
  }
  if (options.dbFile) {
    args.push('--db-filename', options.dbFile);
    // SQLite's defaults (a rollback journal, fsync on every commit) made a
    // file-backed server ~8x slower than the in-memory one. A WAL survives a
    // killed server; synchronous=NORMAL may lose the last commits only on a
    // power cut, which a local dev stack can afford.
    for (const pragma of SQLITE_FILE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  for (const namespace of options.namespaces) args.push('--namespace', namespace);
  for (const [key, value] of Object.entries(TUNED_DYNAMIC_CONFIG)) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  // A process group of its own: Ctrl-C in the terminal reaches Baton, which stops the worker first and
  // then this server, instead of the server vanishing under a worker that is still polling.
  const { child } = spawnTied(cli.path, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => {
    alive = false;
  });

  const address = `${ip}:${port}`;
  const stop = async (): Promise<void> => {
    if (options.stateFile && readDevServerState(options.stateFile)?.pid === child.pid) rmSync(options.stateFile, { force: true });
    if (!alive) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!alive) {
      throw new Error(`temporal server start-dev exited before it was ready: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        for (const namespace of options.namespaces) {
          await connection.workflowService.describeNamespace({ namespace });
        }
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`temporal dev server at ${address} not ready after ${READY_TIMEOUT_MS} ms: ${String(error)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  if (options.stateFile && child.pid !== undefined) {
    const state: DevServerState = { pid: child.pid, ownerPid: process.pid, address, startedAt: new Date().toISOString() };
    mkdirSync(dirname(options.stateFile), { recursive: true });
    writeFileSync(options.stateFile, `${JSON.stringify(state)}\n`);
  }
  options.log?.(`temporal dev server at ${address} (pid ${child.pid})${uiUrl ? `, Web UI ${uiUrl}` : ''}`);
  return { address, uiUrl, process: child, stop };
}
