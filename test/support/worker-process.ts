/**
 * The worker as the container runs it: `worker/main.ts` in a child process,
 * configured by environment only, with its health and metrics ports.
 */
import { join } from 'node:path';
import { freePort } from '../../local/free-port.ts';
import { spawnTs } from '../../local/node-process.ts';

export interface WorkerProcess {
  readonly healthUrl: string;
  readonly metricsUrl: string;
  stderr(): string;
  /** Everything the process wrote, stdout and stderr, in the order it arrived. */
  output(): string;
  /** Resolves with the exit code (signals as 128 + n). */
  readonly exited: Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

const ROOT = join(import.meta.dirname, '..', '..');

export async function startWorkerProcess(env: Record<string, string | undefined>): Promise<WorkerProcess> {
  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  // The worker's own Node (spawnTs, not behind bin/run-ts.js): a signal, SIGKILL above all, reaches the worker itself, and it ends with this process.
  const { child } = spawnTs(join(ROOT, 'worker', 'main.ts'), {
    name: 'worker',
    cwd: ROOT,
    env: { ...env, BATON_HEALTH_PORT: String(healthPort), BATON_METRICS_PORT: String(metricsPort), BATON_METRICS_HOST: '127.0.0.1' },
  });
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  let done = false;
  void exited.then(() => (done = true));
  const healthUrl = `http://127.0.0.1:${healthPort}/healthz`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (done) throw new Error(`the worker exited during start-up:\n${stderr}`);
    const ok = await fetch(healthUrl).then((response) => response.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not become healthy:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    healthUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stderr: () => stderr,
    output: () => output,
    exited,
    kill: (signal) => child.kill(signal),
  };
}
