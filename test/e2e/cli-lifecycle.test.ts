/**
 * How `baton` commands end: a cluster that cannot be reached ends the command
 * with exit 1 and one message naming the address and the TLS mode; SIGTERM
 * ends a command that hangs within seconds; SIGKILL of `baton dev` (the
 * launcher or the stack) leaves no process behind; and `baton dev` says when
 * the Temporal server at its address is not one it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port.ts';
import { startDevServer } from '../../local/dev-server.ts';
import { issueCert, makeCa } from '../support/certs.ts';
import { allGone, commandLine, descendants, isAlive } from '../support/processes.ts';
import { testEnv } from '../support/test-stack.ts';
import { UI_CSP } from '../../functions/api/ui-assets.ts';

const BATON = resolve('bin/baton.js');
const HELLO = resolve('workflows/hello.yaml');

interface Launched {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  stderr(): string;
  /** Everything it wrote, stdout and stderr: its own lines and its children's (the dev server's among them). */
  output(): string;
  /** Resolves once stderr contains `text`. */
  waitFor(text: string | RegExp, ms: number): Promise<void>;
}

/** `ownGroup`: the command leads a process group of its own, as a shell runs it in a terminal. */
function launch(args: string[], env: NodeJS.ProcessEnv, cwd = mkdtempSync(join(tmpdir(), 'baton-life-')), ownGroup = false): Launched {
  const started = Date.now();
  const child = spawn(process.execPath, [BATON, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  let err = '';
  let out = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, ms: Date.now() - started })),
  );
  return {
    child,
    pid: child.pid!,
    exited,
    stderr: () => err,
    output: () => `${out}\n${err}`,
    async waitFor(text, ms) {
      const deadline = Date.now() + ms;
      while (!(typeof text === 'string' ? err.includes(text) : text.test(err))) {
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before "${String(text)}":\n${err}`);
        if (Date.now() > deadline) throw new Error(`no "${String(text)}" after ${ms} ms:\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

const servers: Server[] = [];
const launched: Launched[] = [];
afterEach(async () => {
  for (const l of launched.splice(0)) {
    for (const pid of [l.pid, ...descendants(l.pid)]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return port;
}

function cliEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...testEnv().env, ...overrides };
  for (const name of ['TEMPORAL_TLS', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH']) {
    if (!(name in overrides)) delete env[name];
  }
  return env;
}

function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes('cannot connect to the Temporal server'));
}

describe('a cluster that cannot be reached', () => {
  it('a server that accepts and closes: exit 1, one message naming the address and "plain"', async () => {
    const port = await listen(createServer((socket) => socket.destroy()));
    const run = launch(['run', HELLO], cliEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` }));
    launched.push(run);
    const { code, ms } = await run.exited;
    expect(code).toBe(1);
    expect(messageLines(run.stderr())).toEqual([expect.stringContaining(`at 127.0.0.1:${port} (plain, no TLS)`)]);
    expect(run.stderr()).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(ms).toBeLessThan(30_000);
  });

  it('a TLS server whose certificate the client does not trust: exit 1, naming TLS and the CA it trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-untrusted-'));
    const serverCa = makeCa(dir, 'server-ca');
    const leaf = issueCert(serverCa, 'server', 'server');
    const otherCa = makeCa(mkdtempSync(join(tmpdir(), 'baton-other-')), 'other-ca');
    const port = await listen(
      createTlsServer({ cert: readFileSync(leaf.cert), key: readFileSync(leaf.key), ALPNProtocols: ['h2'] }, (socket) => socket.end()) as unknown as Server,
    );
    // A CA file: the client's certificates are watched for rotation, the watcher is what kept the command alive.
    const run = launch(['run', HELLO], cliEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: otherCa.cert }));
    launched.push(run);
    const { code, ms } = await run.exited;
    expect(code).toBe(1);
    expect(messageLines(run.stderr())).toEqual([expect.stringContaining(`at 127.0.0.1:${port} (TLS, server CA ${otherCa.cert})`)]);
    expect(run.stderr()).not.toContain('DeprecationWarning');
    expect(ms).toBeLessThan(30_000);
    expect(descendants(run.pid)).toEqual([]);
  });

  it('nothing listening, TLS configured: exit 1 at once, not an embedded plain dev server', async () => {
    const port = await freePort();
    const run = launch(['runs', 'list'], cliEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_TLS: 'true' }));
    launched.push(run);
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(messageLines(run.stderr())).toEqual([expect.stringContaining(`at 127.0.0.1:${port} (TLS, the system's trusted CAs)`)]);
  });

  it('baton run, nothing listening and TLS configured: one message, exit 1, no dev server started', async () => {
    const port = await freePort();
    const run = launch(['run', HELLO], cliEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_TLS: 'true' }));
    launched.push(run);
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(messageLines(run.stderr())).toEqual([expect.stringContaining('nothing accepts connections there')]);
    expect(run.stderr()).not.toContain('temporal dev server at');
  });
});

describe('signals', () => {
  for (const [signal, exitCode] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} ends a command that hangs on a silent server within seconds, and its children with it`, async () => {
      const sockets: Socket[] = [];
      const port = await listen(createServer((socket) => void sockets.push(socket))); // accepts, never answers
      const run = launch(['run', HELLO], cliEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` }));
      launched.push(run);
      await run.waitFor('found a Temporal server', 30_000);
      const tree = descendants(run.pid);
      expect(tree.length).toBeGreaterThan(0);
      const sent = Date.now();
      run.child.kill(signal);
      const { code } = await run.exited;
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(code).toBe(exitCode);
      await allGone(tree, 3000);
      for (const socket of sockets) socket.destroy();
    });
  }
});

describe('baton dev and SIGKILL', () => {
  async function devUp(extra: Record<string, string> = {}, ownGroup = false) {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), 'baton-devkill-'));
    mkdirSync(join(cwd, 'workflows'));
    const dev = launch(
      ['dev', '--no-ui', '--api-port', String(await freePort())],
      cliEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, BATON_WORKFLOWS_DIR: join(cwd, 'workflows'), ...extra }),
      cwd,
      ownGroup,
    );
    launched.push(dev);
    await dev.waitFor('baton dev is up', 120_000);
    const tree = descendants(dev.pid);
    const devServer = tree.find((pid) => commandLine(pid).includes('start-dev'));
    expect(devServer, `no dev server among ${tree.map(commandLine).join(' | ')}`).toBeDefined();
    return { dev, tree, devServer: devServer!, port, cwd };
  }

  it('Ctrl-C (SIGINT to the whole process group) is one stop, not two: baton dev runs its own cleanup to "stopped", and nothing is left', async () => {
    const { dev, tree } = await devUp({}, true);
    process.kill(-dev.pid, 'SIGINT');
    const { code } = await dev.exited;
    expect(code).toBe(130);
    expect(dev.stderr()).toContain('SIGINT: stopping');
    expect(dev.stderr()).not.toContain('again: exiting now');
    expect(dev.stderr()).toMatch(/\nstopped\n/);
    await allGone(tree, 3000);
  });

  it('SIGKILL of the launcher (bin/baton.js): every child is gone within seconds', async () => {
    const { dev, tree } = await devUp();
    process.kill(dev.pid, 'SIGKILL');
    await allGone(tree, 10_000);
  });

  it('SIGKILL of the stack process (cli/main.ts): the dev server dies with it', async () => {
    const { dev, tree, devServer } = await devUp();
    const stack = tree.find((pid) => commandLine(pid).includes('cli/main.ts'))!;
    expect(stack).toBeDefined();
    process.kill(stack, 'SIGKILL');
    await allGone([stack, devServer], 5000);
    await dev.exited; // the launcher ends once its child is gone
  });

  it('the next baton dev says when it finds a server it did not start, and stops an orphan an earlier baton left', async () => {
    // A dev server with a state file naming an owner that is gone: what a SIGKILLed baton dev left before this fix.
    const cwd = mkdtempSync(join(tmpdir(), 'baton-orphan-'));
    mkdirSync(join(cwd, '.baton'));
    mkdirSync(join(cwd, 'workflows'));
    const stateFile = join(cwd, '.baton', 'temporal-dev.json');
    const orphan = await startDevServer({ namespaces: ['baton-local'], stateFile });
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number };
    writeFileSync(stateFile, JSON.stringify({ ...state, ownerPid: gone.pid }));
    const dev = launch(
      ['dev', '--no-ui', '--api-port', String(await freePort())],
      cliEnv({ TEMPORAL_ADDRESS: orphan.address, BATON_WORKFLOWS_DIR: join(cwd, 'workflows'), TEMPORAL_NAMESPACE: 'baton-local' }),
      cwd,
    );
    launched.push(dev);
    await dev.waitFor('baton dev is up', 120_000);
    expect(dev.stderr()).toContain(`found a Temporal dev server at ${orphan.address} (pid ${state.pid}) left running by an earlier baton`);
    if (orphan.process.exitCode === null && orphan.process.signalCode === null) await new Promise((r) => orphan.process.once('exit', r));
    expect(isAlive(state.pid)).toBe(false);
    const tree = descendants(dev.pid);
    expect(tree.some((pid) => commandLine(pid).includes('start-dev'))).toBe(true);
    dev.child.kill('SIGTERM');
    expect((await dev.exited).code).toBe(143);
    await allGone(tree, 3000);
  });

  it('a server Baton did not start is named as such, used, and left running', async () => {
    const { env } = testEnv();
    const cwd = mkdtempSync(join(tmpdir(), 'baton-foreign-'));
    mkdirSync(join(cwd, 'workflows'));
    const dev = launch(['dev', '--no-ui', '--api-port', String(await freePort())], cliEnv({ ...(env as Record<string, string>), BATON_WORKFLOWS_DIR: join(cwd, 'workflows') }), cwd);
    launched.push(dev);
    await dev.waitFor('baton dev is up', 120_000);
    expect(dev.stderr()).toContain(`found a Temporal server at ${env.TEMPORAL_ADDRESS} that Baton did not start`);
    expect(descendants(dev.pid).some((pid) => commandLine(pid).includes('start-dev'))).toBe(false);
    // The banner names the run viewer, built at start and served by the same API under /ui/.
    const viewer = /\n {2}Run viewer {2}(http:\/\/\S+\/ui\/) /.exec(dev.stderr())?.[1];
    expect(viewer, dev.stderr()).toBeDefined();
    const page = await fetch(viewer!);
    expect([page.status, page.headers.get('content-security-policy')]).toEqual([200, UI_CSP]);
    expect(await page.text()).toMatch(/<script type="module" src="app-[A-Z0-9]+\.js"><\/script>/);
    dev.child.kill('SIGTERM');
    expect((await dev.exited).code).toBe(143);
  });
});

describe('what baton dev writes', () => {
  it("carries a failed run's ids and never its user data, in any of its processes' output, at debug level", async () => {
    const MARKER = `user-data-${Math.random().toString(36).slice(2)}`;
    const { env } = testEnv();
    const cwd = mkdtempSync(join(tmpdir(), 'baton-markers-'));
    mkdirSync(join(cwd, 'workflows'));
    writeFileSync(
      join(cwd, 'workflows', 'leaky.yaml'),
      `name: leaky
blocks:
  - { id: echo, type: code, code: "console.log(trigger.data.secret); return { seen: trigger.data.secret }" }
  - { id: boom, type: code, after: [echo], code: "throw new TypeError('failed on ' + echo.data.seen)" }
`,
    );
    const apiPort = await freePort();
    const dev = launch(
      ['dev', '--no-ui', '--api-port', String(apiPort)],
      cliEnv({ ...(env as Record<string, string>), BATON_WORKFLOWS_DIR: join(cwd, 'workflows'), BATON_LOG_LEVEL: 'debug' }),
      cwd,
    );
    launched.push(dev);
    await dev.waitFor('baton dev is up', 120_000);
    const key = readFileSync(join(cwd, '.baton', 'api-key'), 'utf8').trim();
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${apiPort}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    const started = (await (await api('/v1/workflows/leaky/runs', { method: 'POST', body: JSON.stringify({ secret: MARKER }) })).json()) as { runId: string };
    await expect.poll(async () => ((await (await api(`/v1/runs/${started.runId}`)).json()) as { status: string }).status, { timeout: 30_000 }).toBe('failed');
    // The user's data did reach the run (its block saw it), and the logs name the run and its failing block.
    expect(((await (await api(`/v1/runs/${started.runId}/blocks/echo`)).json()) as { data: unknown }).data).toEqual({ seen: MARKER });
    await dev.waitFor(new RegExp(`${started.runId}.*boom|boom.*${started.runId}`), 10_000);
    expect(dev.output()).toContain('TypeError');
    expect(dev.output()).not.toContain(MARKER);
    dev.child.kill('SIGTERM');
    expect((await dev.exited).code).toBe(143);
    expect(dev.output()).not.toContain(MARKER);
  });
});
