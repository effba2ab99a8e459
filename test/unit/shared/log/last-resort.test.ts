/**
 * The last-resort handler in a real child process: an exception thrown
 * outside any request handler, and a rejection nobody awaits, are logged
 * without their message and the process goes on serving HTTP.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const MARKER = `user-data-${Math.random().toString(36).slice(2)}`;
const lastResort = fileURLToPath(new URL('../../../../shared/log/last-resort.ts', import.meta.url));

const script = `
import { createServer } from 'node:http';
import { installLastResort } from ${JSON.stringify(lastResort)};
installLastResort('test process');
const server = createServer((req, res) => {
  if (req.url === '/throw') setTimeout(() => { throw new TypeError(${JSON.stringify(MARKER)}); });
  if (req.url === '/reject') void Promise.reject(new Error(${JSON.stringify(MARKER)}));
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;

it('logs an uncaught error without its message and keeps serving', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/throw`)).text()).toBe('ok');
    expect(await (await fetch(`${base}/reject`)).text()).toBe('ok');
    await expect.poll(() => stderr).toMatch(/unhandled rejection, still serving: Error/);
    expect(stderr).toMatch(/test process: uncaught exception, still serving: TypeError/);
    expect(await (await fetch(`${base}/health`)).text()).toBe('ok');
    expect(child.exitCode).toBeNull();
    expect(stderr).not.toContain(MARKER);
  } finally {
    child.kill();
  }
}, 30_000);

/** Starts `body` in a child with the handler installed; resolves with how it exited, or 'running' after `ms`. */
async function exitOf(body: string, afterStart: (child: ReturnType<typeof spawn>) => void, ms: number): Promise<number | 'running'> {
  const code = `import { installLastResort } from ${JSON.stringify(lastResort)};\ninstallLastResort('test process');\nconsole.log('up');\n${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (exit) => reject(new Error(`exited ${exit} before it was up`)));
    });
    afterStart(child);
    return await Promise.race([
      new Promise<number>((resolve) => child.once('exit', (exit, signal) => resolve(exit ?? (signal ? 128 : 1)))),
      new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms)),
    ]);
  } finally {
    child.kill('SIGKILL');
  }
}

it('exits 141 once its own output is gone, instead of spinning on the failed writes (an orphan whose parent died)', async () => {
  const exit = await exitOf(
    "setInterval(() => process.stderr.write('a log line\\n'), 5);",
    (child) => {
      child.stdout!.destroy();
      child.stderr!.destroy();
    },
    10_000,
  );
  expect(exit).toBe(141);
}, 30_000);

it('exits 1 on a storm of uncaught errors, which serving on would only feed', async () => {
  const exit = await exitOf("setInterval(() => { throw new Error('again'); }, 1);", () => undefined, 10_000);
  expect(exit).toBe(1);
}, 30_000);
