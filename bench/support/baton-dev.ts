/**
 * `baton dev` as a user runs it, for the benchmarks that go through its HTTP
 * API: its own process in a scratch directory (the dev server on a SQLite
 * file as its child, the Lambda endpoint, the worker and the API), with the
 * given workflow files, an API key and a key ring of its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../../shared/codec/index.ts';
import type { Env } from '../../shared/config/index.ts';
import { freePort } from '../../local/free-port.ts';
import { spawnTs, type NodeProcess } from '../../local/node-process.ts';
import { profileNodeArgs } from './profile.ts';

const READY_TIMEOUT_MS = 180_000;

export interface BatonDev {
  readonly api: string;
  readonly apiKey: string;
  readonly env: Env;
  readonly process: NodeProcess;
  /** The Temporal dev server `baton dev` started, for reading its CPU time. */
  readonly temporalPid: number | undefined;
  /** POSTs a JSON body to a path of the API with the key. */
  post(path: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The child process of `pid` named `name`. */
function childNamed(pid: number, name: string): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.find((child) => readFileSync(`/proc/${child}/comm`, 'utf8').trim() === name);
  } catch {
    return undefined;
  }
}

/** Starts `baton dev` on `namespace` with `workflows` (file name → YAML) and waits until its API answers. */
export async function startBatonDev(namespace: string, workflows: Record<string, string>): Promise<BatonDev> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-dev-'));
  mkdirSync(join(dir, 'workflows'));
  for (const [file, yaml] of Object.entries(workflows)) writeFileSync(join(dir, 'workflows', file), yaml);
  const apiKey = `bk_bench_${generateKey().slice(0, 16)}`;
  const apiPort = await freePort();
  const env: Env = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    TEMPORAL_NAMESPACE: namespace,
    ENCRYPTION_KEY: generateKey(),
    BATON_API_KEYS: apiKey,
    BATON_WORKFLOWS_DIR: join(dir, 'workflows'),
    BATON_RESULTS_URL: `file://${join(dir, '.baton', 'results')}`,
  };
  const api = `http://127.0.0.1:${apiPort}`;
  const nodeArgs = profileNodeArgs();
  const dev = spawnTs(fileURLToPath(new URL('../../cli/main.ts', import.meta.url)), {
    name: 'baton dev',
    env,
    cwd: dir,
    args: ['dev', '--no-ui', '--api-port', String(apiPort)],
    ...(nodeArgs ? { nodeArgs } : {}),
  });
  const stop = async () => {
    await dev.stop(30_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const readyBy = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!dev.alive) throw new Error(`baton dev exited before it was up: ${dev.stderrTail()}`);
      if (Date.now() > readyBy) throw new Error(`baton dev not up after ${READY_TIMEOUT_MS} ms: ${dev.stderrTail()}`);
      const ok = await fetch(`${api}/v1/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(250);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    api,
    apiKey,
    env,
    process: dev,
    temporalPid: childNamed(dev.pid, 'temporal'),
    post: (path, body) =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    stop,
  };
}
