/**
 * `npm run bench`: the hello workflow (two parallel code blocks and a join)
 * through Baton (worker, Lambda client, local Invoke endpoint, executor,
 * sandbox, encrypted store) beside a plain Temporal workflow doing the same
 * work with in-process activities, on the same dev server in the same run.
 * Prints latency p50/p99 (one run at a time) and throughput (CONCURRENCY at once).
 * `npm run bench -- executor` measures one block inside the code-executor instead,
 * `npm run bench -- codec` the payload codec against raw AES-256-GCM, and
 * `npm run bench -- db` a query block (bench/db.ts).
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { generateKey, workerDataConverterFor } from '../shared/codec/index.ts';
import { compileDefinition, parseDefinition } from '../shared/definition/index.ts';
import { connectWorker } from '../worker/connect.ts';
import { startDevServer } from '../local/dev-server.ts';
import { startEmbeddedStack } from '../local/stack.ts';
import * as plainActivities from './plain/activities.ts';

// `npm run bench -- db`: the query-block benchmark instead of this one.
if (process.argv.slice(2).includes('db')) {
  await import('./db.ts');
  process.exit(0);
}

const quick = process.argv.includes('--quick');
// `npm run bench -- executor`: one block inside the code-executor instead (bench/executor.ts).
if (process.argv.slice(2).includes('executor')) {
  const { benchExecutor } = await import('./executor.ts');
  await benchExecutor({ quick });
  process.exit(0);
}
// `npm run bench -- codec`: the payload codec against raw AES-256-GCM alone (bench/codec.ts), no stack.
if (process.argv.slice(2).includes('codec')) {
  const { runCodecBench } = await import('./codec.ts');
  await runCodecBench();
  process.exit(0);
}
const RUNS = quick ? 30 : 200;
const CONCURRENCY = 10;
const THROUGHPUT_RUNS = quick ? 50 : 300;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(label: string, once: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await once(); // warm up
  const latencies: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await once();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < THROUGHPUT_RUNS) await once();
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { label, p50: percentile(latencies, 50), p99: percentile(latencies, 99), runsPerSecond: THROUGHPUT_RUNS / seconds };
}

const server = await startDevServer({ namespaces: ['baton-bench'] });
const env = {
  ...process.env,
  TEMPORAL_ADDRESS: server.address,
  TEMPORAL_NAMESPACE: 'baton-bench',
  ENCRYPTION_KEY: generateKey(),
  BATON_RESULTS_URL: `file://${mkdtempSync(join(tmpdir(), 'baton-bench-'))}`,
};
const stack = await startEmbeddedStack({ env, worker: true });
try {
  const compiled = compileDefinition(parseDefinition(readFileSync('workflows/hello.yaml', 'utf8'), 'hello.yaml'));
  const baton = await measure('baton hello (3 code blocks)', async () => {
    const { handle } = await stack.start(compiled, { type: 'manual', data: { name: 'bench' } });
    await handle.result();
  });

  const connection = await connectWorker(env, stack.config);
  const plainWorker = await Worker.create({
    connection,
    namespace: 'baton-bench',
    taskQueue: 'plain',
    workflowsPath: fileURLToPath(new URL('./plain/workflows.ts', import.meta.url)),
    activities: plainActivities,
    // The same encrypting codec as Baton's, so the comparison is of the work, not of encryption.
    dataConverter: workerDataConverterFor(stack.config.keyRing),
  });
  const plain = await plainWorker.runUntil(
    measure('plain Temporal (3 activities)', () =>
      stack.client.workflow.execute('plainHello', { taskQueue: 'plain', workflowId: `plain-${Math.random()}`, args: ['bench'] }),
    ),
  );
  await connection.close();

  console.log(`\nhello workflow, ${RUNS} sequential runs for latency, ${THROUGHPUT_RUNS} runs at concurrency ${CONCURRENCY} for throughput`);
  console.log('| shape | p50 ms | p99 ms | runs/s | block runs/s |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of [baton, plain]) {
    console.log(`| ${r.label} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.runsPerSecond.toFixed(1)} | ${(r.runsPerSecond * 3).toFixed(1)} |`);
  }
  console.log(`throughput ratio baton/plain: ${(baton.runsPerSecond / plain.runsPerSecond).toFixed(2)}`);
  console.log(`per-run latency overhead at p50: ${(baton.p50 - plain.p50).toFixed(1)} ms`);
} finally {
  await stack.stop();
  await server.stop();
}
