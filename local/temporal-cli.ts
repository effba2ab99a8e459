/**
 * Finds (or builds) the Temporal CLI whose `server start-dev` is Baton's
 * embedded cluster. Order: BATON_TEMPORAL_CLI, `temporal` on PATH, the cache
 * outside the repo, `go install` into that cache, the official download.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** The oldest server the embedded stack is tested against (update-with-start, schedules). */
const MIN_SERVER = [1, 27, 0] as const;

export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'baton', 'temporal', TEMPORAL_CLI_VERSION);
}

export interface FoundCli {
  path: string;
  version: string;
  source: 'env' | 'path' | 'cache' | 'go-install' | 'download';
}

/** Parses `temporal --version`: "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)". */
export function parseServerVersion(output: string): number[] | undefined {
  const match = /Server (\d+)\.(\d+)\.(\d+)/.exec(output);
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function atLeast(version: number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = version[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

async function checkVersion(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 15_000 });
    const server = parseServerVersion(stdout);
    if (!server || !atLeast(server, MIN_SERVER)) return undefined;
    return stdout.trim();
  } catch {
    return undefined;
  }
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'temporal');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Finds a usable CLI without installing anything. */
export async function findTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<FoundCli | undefined> {
  const candidates: Array<[string | undefined, FoundCli['source']]> = [
    [env.BATON_TEMPORAL_CLI, 'env'],
    [onPath(env), 'path'],
    [join(temporalCacheDir(env), 'temporal'), 'cache'],
  ];
  for (const [path, source] of candidates) {
    if (!path || !existsSync(path)) continue;
    const version = await checkVersion(path);
    if (version) return { path, version, source };
  }
  return undefined;
}

async function goInstall(dir: string, log: (line: string) => void): Promise<string> {
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (a few minutes, once)...`);
  await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: dir, GOFLAGS: '-buildvcs=false' },
    timeout: 30 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return join(dir, 'temporal');
}

async function download(dir: string, log: (line: string) => void): Promise<string> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const url = `https://temporal.download/cli/archive/${TEMPORAL_CLI_VERSION.slice(1)}?platform=${process.platform}&arch=${arch}`;
  log(`downloading the Temporal CLI from ${url}...`);
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const archive = join(dir, 'temporal.tar.gz');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(archive, Buffer.from(await response.arrayBuffer()));
  await run('tar', ['-xzf', archive, '-C', dir, 'temporal']);
  rmSync(archive, { force: true });
  chmodSync(join(dir, 'temporal'), 0o755);
  return join(dir, 'temporal');
}

/** Finds the CLI, else builds or downloads it into the cache; throws one clear message when nothing works. */
export async function ensureTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => console.error(line),
): Promise<FoundCli> {
  const found = await findTemporalCli(env);
  if (found) return found;
  const dir = temporalCacheDir(env);
  mkdirSync(dir, { recursive: true });
  const failures: string[] = [];
  for (const [install, source] of [
    [goInstall, 'go-install'],
    [download, 'download'],
  ] as const) {
    try {
      const path = await install(dir, log);
      const version = await checkVersion(path);
      if (version) return { path, version, source };
      failures.push(`${source}: ${path} is not a Temporal CLI with Server >= ${MIN_SERVER.join('.')}`);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n').slice(-3).join(' ') : String(error);
      failures.push(`${source}: ${message}`);
    }
  }
  throw new Error(
    `No Temporal CLI found: none on PATH, none in ${dir}, and neither go install nor the download worked ` +
      `(${failures.join('; ')}). Install Go (>= 1.23) or put a Temporal CLI ${TEMPORAL_CLI_VERSION} on PATH, ` +
      'or set BATON_TEMPORAL_CLI to its path.',
  );
}
