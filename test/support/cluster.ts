/**
 * A self-hosted Temporal cluster for one test file, made by
 * `scripts/cluster.sh up` as a user makes it: PostgreSQL and the four
 * service processes, state in a temp dir and ports picked free, so a test
 * never touches (or reuses) a user's cluster in ~/.cache/baton/cluster. The
 * server binaries come from the shared cache (built once, minutes the first
 * time). Anything missing from what `up` prints fails loudly.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'cluster.sh');
/** The frontend's port and the nine after it (the other services, PostgreSQL). */
const PORTS_PER_CLUSTER = 10;
/** Below Linux's ephemeral range (32768–60999), where outgoing connections take their ports. */
const PORT_RANGE = [20_000, 32_000] as const;
const TLS_KEYS = ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME'] as const;

export interface ClusterOptions {
  readonly tls?: boolean;
  readonly namespace?: string;
  /** How often the server re-reads its certificate files (a Go duration). */
  readonly tlsRefreshInterval?: string;
  /** How long `up` may take: the first one on a machine builds the server. */
  readonly upTimeoutMs?: number;
}

export interface Cluster {
  readonly address: string;
  readonly namespace: string;
  readonly stateDir: string;
  /** Where --tls keeps the CA, certificates and the client CA bundle the frontend trusts. */
  readonly tlsDir: string;
  /** What `up` printed, as an env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and, with TLS, the TEMPORAL_TLS_* settings. */
  readonly settings: Readonly<Record<string, string>>;
  /** How long `up` took. */
  readonly upMs: number;
  /** Runs the script again (`up`, `status`, ...) on this cluster's state and ports. */
  script(args: readonly string[]): Promise<ScriptResult>;
  /** The pids of what runs: the four services (their pid files) and PostgreSQL (postmaster.pid). */
  pids(): Record<string, number>;
  /** `down --purge`: stops everything `up` started and deletes the state. */
  down(): Promise<void>;
}

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A base port whose block of PORTS_PER_CLUSTER is free now. */
async function freePortBlock(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const span = PORT_RANGE[1] - PORT_RANGE[0] - PORTS_PER_CLUSTER;
    const base = PORT_RANGE[0] + Math.floor(Math.random() * span);
    let free = true;
    for (let port = base; free && port < base + PORTS_PER_CLUSTER; port++) free = await portFree(port);
    if (free) return base;
  }
  throw new Error(`no ${PORTS_PER_CLUSTER} consecutive free ports in ${PORT_RANGE.join('–')}`);
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // The caller's Temporal settings are for another cluster; the script sets its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(TEMPORAL_|BATON_CLUSTER_)/.test(key)));
  return { ...env, ...extra };
}

function runScript(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ScriptResult> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn('bash', [SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`scripts/cluster.sh ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Parses `up`'s stdout: KEY=VALUE lines (bash %q, which leaves plain paths and addresses as they are), TEMPORAL_ADDRESS last. */
export function parseSettings(stdout: string, tls: boolean): Record<string, string> {
  const lines = stdout.trim().split('\n').filter(Boolean);
  const settings: Record<string, string> = {};
  for (const line of lines) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`scripts/cluster.sh up printed a line that is not KEY=VALUE: ${JSON.stringify(line)}`);
    const [, key, value] = match as unknown as [string, string, string];
    if (/[\\'"$\s]/.test(value)) throw new Error(`scripts/cluster.sh up quoted ${key} (${value}); the test helper reads plain values only`);
    settings[key] = value;
  }
  if (!lines.at(-1)?.startsWith('TEMPORAL_ADDRESS=')) throw new Error(`the last line of scripts/cluster.sh up is not TEMPORAL_ADDRESS=...:\n${stdout}`);
  const expected = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', ...(tls ? TLS_KEYS : [])];
  const missing = expected.filter((key) => !settings[key]);
  const unexpected = Object.keys(settings).filter((key) => !expected.includes(key));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Error(`scripts/cluster.sh up${tls ? ' --tls' : ''} printed ${Object.keys(settings).join(', ')}; missing: ${missing.join(', ') || 'none'}, unexpected: ${unexpected.join(', ') || 'none'}`);
  }
  for (const key of TLS_KEYS.slice(0, 3)) {
    if (settings[key] && !existsSync(settings[key])) throw new Error(`${key}=${settings[key]}: no such file`);
  }
  return settings;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), 'baton-cluster-'));
  // PostgreSQL runs as the postgres user when the tests run as root: it must reach its data dir inside.
  chmodSync(root, 0o755);
  const stateDir = join(root, 'state');
  const port = await freePortBlock();
  const namespace = options.namespace ?? 'baton-cluster-test';
  const env = cleanEnv({
    BATON_CLUSTER_DIR: stateDir,
    BATON_CLUSTER_PORT: String(port),
    TEMPORAL_NAMESPACE: namespace,
    ...(options.tlsRefreshInterval ? { BATON_CLUSTER_TLS_REFRESH_INTERVAL: options.tlsRefreshInterval } : {}),
  });
  const script = (args: readonly string[], timeoutMs = 120_000) => runScript(args, env, timeoutMs);
  const down = async () => {
    const result = await script(['down', '--purge']);
    if (result.code !== 0) throw new Error(`scripts/cluster.sh down failed (exit ${result.code}):\n${result.stderr}`);
    rmSync(root, { recursive: true, force: true });
  };

  const up = await script(['up', ...(options.tls ? ['--tls'] : [])], options.upTimeoutMs ?? 900_000);
  if (up.code !== 0) {
    await down().catch(() => {});
    throw new Error(`scripts/cluster.sh up${options.tls ? ' --tls' : ''} failed (exit ${up.code}):\n${up.stderr}`);
  }
  let settings: Record<string, string>;
  try {
    settings = parseSettings(up.stdout, options.tls ?? false);
    if (settings.TEMPORAL_ADDRESS !== `127.0.0.1:${port}`) throw new Error(`up printed TEMPORAL_ADDRESS=${settings.TEMPORAL_ADDRESS}, asked for port ${port}`);
    if (settings.TEMPORAL_NAMESPACE !== namespace) throw new Error(`up printed TEMPORAL_NAMESPACE=${settings.TEMPORAL_NAMESPACE}, asked for ${namespace}`);
  } catch (error) {
    await down().catch(() => {});
    throw error;
  }
  return {
    address: settings.TEMPORAL_ADDRESS!,
    namespace,
    stateDir,
    tlsDir: join(stateDir, 'tls'),
    settings,
    upMs: up.ms,
    script,
    pids() {
      const runDir = join(stateDir, 'run');
      const pids: Record<string, number> = {};
      for (const file of readdirSync(runDir).filter((name) => name.endsWith('.pid'))) {
        pids[file.replace(/\.pid$/, '')] = Number(readFileSync(join(runDir, file), 'utf8').trim());
      }
      pids.postgres = Number(readFileSync(join(stateDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pids;
    },
    down,
  };
}

/** True while `pid` is a process that has not ended (a zombie has: nobody may reap it in a container). */
export function processRuns(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
