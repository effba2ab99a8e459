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
