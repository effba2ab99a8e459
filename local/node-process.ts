/**
 * A TypeScript entry point run as a Node child process with the flags `baton`
 * uses (isolated-vm needs --no-node-snapshot; tsx loads the source), spawned
 * directly so its pid is the process doing the work: the benchmarks read its
 * CPU and memory, and the fault tests kill it. Each child watches its parent
 * and stops when it is gone, so a killed stack leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { definedEnv, type Env } from '../shared/config/index.ts';

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  readonly alive: boolean;
  /** The last lines it wrote to stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: the process gets no chance to clean up. */
  kill(): Promise<void>;
}

export interface SpawnTsOptions {
  readonly name: string;
  readonly env: Env;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Extra Node flags (`--cpu-prof`, say). */
  readonly nodeArgs?: readonly string[];
  /** Gets each line the process writes to stdout. */
  readonly onStdoutLine?: (line: string) => void;
}

const TAIL_CHARS = 4000;
/** Makes the child end itself when this process dies, even by SIGKILL (parent-watch.ts). */
const PARENT_WATCH = new URL('./parent-watch-register.ts', import.meta.url).href;

/** `entry` is a path or a file: URL of a .ts module. */
export function spawnTs(entry: string | URL, options: SpawnTsOptions): NodeProcess {
  const path = entry instanceof URL ? fileURLToPath(entry) : entry;
  const child = spawn(
    process.execPath,
    [
      '--no-node-snapshot',
      '--enable-source-maps',
      ...(options.nodeArgs ?? []),
      '--import',
      import.meta.resolve('tsx'),
      '--import',
      PARENT_WATCH,
      path,
      ...(options.args ?? []),
    ],
    {
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...definedEnv(options.env) },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    },
  );
  if (child.pid === undefined) throw new Error(`${options.name}: could not spawn ${path}`);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-TAIL_CHARS);
  });
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) options.onStdoutLine?.(line);
  });
  let alive = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      alive = false;
      resolve(code);
    }),
  );
  const signal = async (name: NodeJS.Signals, graceMs: number) => {
    if (!alive) return;
    child.kill(name);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name: options.name,
    child,
    pid: child.pid,
    exited,
    get alive() {
      return alive;
    },
    stderrTail: () => stderr.trim().split('\n').slice(-8).join('\n'),
    stop: (graceMs = 10_000) => signal('SIGTERM', graceMs),
    kill: () => signal('SIGKILL', 0),
  };
}
