/**
 * `npm run bench -- soak [--runs=10000] [--concurrency=16]`: that many runs
 * of a three-block workflow through one worker process, with the worker's
 * (and the executors' and Temporal's) resident memory sampled as the runs
 * go, so growth shows. Every run must complete. Writes bench/results/soak.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../shared/codec/index.ts';
import { loadConfig } from '../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../shared/definition/index.ts';
import { startRun } from '../shared/runs/index.ts';
import { openResultStore } from '../shared/store/index.ts';
import { connectClient } from '../shared/temporal/index.ts';
import { startDevServer } from '../local/dev-server.ts';
import { startLambdaProcess, startWorkerProcess } from '../local/split-stack.ts';
import { bundleBatonWorkflows } from '../worker/worker.ts';
import { SHAPES } from './shapes/shapes.ts';
import { fixed, mib } from './support/stats.ts';
import { cpuMs, rssBytes } from './support/usage.ts';

const NAMESPACE = 'baton-soak';
const SAMPLES = 20;

function numberOption(argv: readonly string[], name: string, fallback: number): number {
  const raw = argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number, got "${raw}"`);
  return value;
}

interface Sample {
  readonly runs: number;
  readonly seconds: number;
  readonly worker: number;
  readonly executors: number;
  readonly temporal: number;
}

export async function main(argv: readonly string[]): Promise<void> {
  const runs = numberOption(argv, 'runs', 10_000);
  const concurrency = numberOption(argv, 'concurrency', 16);
  const shape = SHAPES.find((s) => s.id === 'hello')!;
  const dir = mkdtempSync(join(tmpdir(), 'baton-soak-'));
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const server = await startDevServer({ namespaces: [NAMESPACE] });
    stops.push(() => server.stop());
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleBatonWorkflows()).code);
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      ENCRYPTION_KEY: generateKey(),
      BATON_RESULTS_URL: `file://${join(dir, 'results')}`,
      BATON_TASK_QUEUE: 'soak',
      BATON_WORKFLOW_BUNDLE: bundlePath,
    };
    const config = loadConfig(env);
    const client = await connectClient(env, config);
    stops.push(() => client.connection.close());
    const store = openResultStore(config.resultsUrl, config.keyRing);
    const lambda = await startLambdaProcess(env, { name: 'executors' });
    stops.push(() => lambda.process.stop());
    const worker = await startWorkerProcess({
      env: { ...env, BATON_LAMBDA_ENDPOINT: lambda.url },
      client,
      namespace: NAMESPACE,
      taskQueue: 'soak',
      name: 'baton worker',
    });
    stops.push(() => worker.stop());
    const pids = { worker: worker.pid, executors: lambda.process.pid, temporal: server.process.pid ?? NaN };
    const compiled = compileDefinition(parseDefinition(shape.definition, 'soak.yaml'));

    const samples: Sample[] = [];
    const every = Math.max(1, Math.floor(runs / SAMPLES));
    const started = performance.now();
    const sample = (done: number) =>
      samples.push({
        runs: done,
        seconds: (performance.now() - started) / 1000,
        worker: rssBytes(pids.worker),
        executors: rssBytes(pids.executors),
        temporal: rssBytes(pids.temporal),
      });
    sample(0);
    const cpuStart = cpuMs(pids.worker);
    let next = 0;
    let done = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < runs) {
          next++;
          try {
            const { handle } = await startRun({ client, store, taskQueue: 'soak', compiled, trigger: { type: 'manual', data: shape.trigger } });
            await handle.result();
          } catch (error) {
            failures.push(String(error));
          }
          done++;
          if (done % every === 0) {
            sample(done);
            console.error(`soak: ${done}/${runs} runs, worker RSS ${mib(samples.at(-1)!.worker)} MiB`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const workerCpu = cpuMs(pids.worker) - cpuStart;

    // Growth after warm-up: from the first sample with runs done to the last.
    const base = samples.find((s) => s.runs > 0) ?? samples[0]!;
    const last = samples.at(-1)!;
    const peak = Math.max(...samples.map((s) => s.worker));
    const perThousand = ((last.worker - base.worker) / Math.max(1, last.runs - base.runs)) * 1000;
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
    const lines = [
      `# Soak: ${runs} runs through one worker`,
      '',
      `Machine: ${machine}. Command: \`npm run bench -- soak --runs=${runs} --concurrency=${concurrency}\`. Workflow: ${shape.title} (${shape.blockRuns} code blocks), ${concurrency} runs in flight; the worker, the executors (local Lambda endpoint) and the Temporal dev server (in memory) are separate processes.`,
      '',
      `${done} runs in ${fixed(seconds)} s (${fixed(done / seconds)} runs/s), ${failures.length} failed${failures[0] ? ` (first: ${failures[0]})` : ''}; worker CPU ${fixed((workerCpu / 1000 / seconds) * 100, 0)} % of one core.`,
      `Worker RSS: ${mib(base.worker)} MiB after ${base.runs} runs → ${mib(last.worker)} MiB after ${last.runs} (peak ${mib(peak)}); growth ${fixed(perThousand / 1024 / 1024, 2)} MiB per 1,000 runs.`,
      '',
      '| runs | seconds | worker RSS MiB | executors RSS MiB | Temporal RSS MiB |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...samples.map((s) => `| ${s.runs} | ${fixed(s.seconds, 0)} | ${mib(s.worker)} | ${mib(s.executors)} | ${mib(s.temporal)} |`),
      '',
    ];
    const report = lines.join('\n');
    console.log(`\n${report}`);
    const results = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'soak.md'), report);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(`stopping: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
