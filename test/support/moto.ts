/**
 * A local moto server: the S3 / SSM / Secrets Manager endpoint our tests use
 * in place of AWS (which cannot be reached here). scripts/install-python-tools.sh
 * installs it (CI runs it; the test setup runs it when the tool is missing);
 * if that fails, the test run fails loudly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, isListening } from '../../local/free-port.ts';

export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export function pythonToolPath(tool: string): string {
  const venv = process.env.BATON_PYTHON_VENV ?? join(homedir(), '.cache', 'baton', 'venv');
  const path = join(venv, 'bin', tool);
  if (!existsSync(path)) {
    spawnSync('bash', [join(import.meta.dirname, '..', '..', 'scripts', 'install-python-tools.sh')], { stdio: 'inherit' });
  }
  if (!existsSync(path)) {
    throw new Error(`${tool} not found at ${path}: run scripts/install-python-tools.sh (or set BATON_PYTHON_VENV)`);
  }
  return path;
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn(pythonToolPath('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  while (!(await isListening('127.0.0.1', port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint: `http://127.0.0.1:${port}`, stop };
}
