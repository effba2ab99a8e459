/**
 * `npm run bench -- soak [--runs=10000] [--concurrency=16]`: that many runs
 * of a three-block workflow through one worker process, with the worker's
 * (and the executors' and Temporal's) resident memory sampled as the runs
 * go, so growth shows. Every run must complete. Writes bench/results/soak.md.
 */
import { compileDefinition, parseDefinition } from '../shared/definition/index.ts';
import { startRun } from '../shared/runs/index.ts';
import { startBenchStack } from './support/bench-stack.ts';
import { numberOption } from './support/options.ts';
import { writeResult } from './support/results.ts';
import { SHAPES } from './shapes/shapes.ts';
import { describeMachine } from './support/machine.ts';
import { fixed, mib } from './support/stats.ts';
import { cpuMs, rssBytes } from './support/usage.ts';

const NAMESPACE = 'baton-soak';
const SAMPLES = 20;

interface Sample {
  readonly runs: number;
  readonly seconds: number;
  readonly worker: number;
  readonly executors: number;
  readonly temporal: number;
}

export async function main(argv: readonly string[]): Promise<void> {
  const runs = numberOption(argv, 'runs', 10_000, true);
  const concurrency = numberOption(argv, 'concurrency', 16, true);
  const shape = SHAPES.find((s) => s.id === 'hello')!;
  const stack = await startBenchStack(NAMESPACE);
  try {
    const { client, store, lambda, server } = stack;
    const worker = await stack.startWorker('baton worker', 'soak');
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
    // RSS saws up and down with garbage collection: the trend is the least-squares slope over the samples after warm-up.
    const after = samples.filter((s) => s.runs >= base.runs);
    const meanRuns = after.reduce((sum, s) => sum + s.runs, 0) / after.length;
    const meanRss = after.reduce((sum, s) => sum + s.worker, 0) / after.length;
    const covariance = after.reduce((sum, s) => sum + (s.runs - meanRuns) * (s.worker - meanRss), 0);
    const variance = after.reduce((sum, s) => sum + (s.runs - meanRuns) ** 2, 0);
    const perThousand = variance > 0 ? (covariance / variance) * 1000 : 0;
    const machine = describeMachine();
    const lines = [
      `# Soak: ${runs} runs through one worker`,
      '',
      `Machine: ${machine}. Command: \`npm run bench -- soak --runs=${runs} --concurrency=${concurrency}\`. Workflow: ${shape.title} (${shape.blockRuns} code blocks), ${concurrency} runs in flight; the worker, the executors (local Lambda endpoint) and the Temporal dev server (in memory) are separate processes.`,
      '',
      `${done} runs in ${fixed(seconds)} s (${fixed(done / seconds)} runs/s), ${failures.length} failed${failures[0] ? ` (first: ${failures[0]})` : ''}; worker CPU ${fixed((workerCpu / 1000 / seconds) * 100, 0)} % of one core.`,
      `Worker RSS: ${mib(base.worker)} MiB after ${base.runs} runs → ${mib(last.worker)} MiB after ${last.runs} (peak ${mib(peak)}); trend ${fixed(perThousand / 1024 / 1024, 2)} MiB per 1,000 runs (least-squares slope of the samples below).`,
      '',
      '| runs | seconds | worker RSS MiB | executors RSS MiB | Temporal RSS MiB |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...samples.map((s) => `| ${s.runs} | ${fixed(s.seconds, 0)} | ${mib(s.worker)} | ${mib(s.executors)} | ${mib(s.temporal)} |`),
      '',
    ];
    const report = lines.join('\n');
    console.log(`\n${report}`);
    writeResult('soak.md', report);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}
