/**
 * Python blocks in the code-executor (run by `npm run bench -- executor`
 * after the JavaScript figures, in the same process): a warm Python block
 * (a pre-booted fresh interpreter from the pool) inside the executor beside
 * the same block in JavaScript; a fresh interpreter's boot from the memory
 * snapshot; executor cold start with Python (a new runtime, its first Python
 * block: with the snapshot on disk, as a container whose image carries it,
 * and without, when the first block makes it); memory per pooled
 * interpreter; sustained Python runs per second with two runs at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKey } from '../shared/codec/index.ts';
import { compileDefinition, parseDefinition } from '../shared/definition/index.ts';
import { createExecutorRuntime, type ExecutorRuntime } from '../functions/executor/index.ts';
import { PythonSandbox } from '../functions/executor/sandbox/python/index.ts';
import { codeExecutor } from '../functions/code-executor/executor.ts';
import { ENVELOPE_AAD, REPLY_AAD, storeKeys, type BlockEnvelope } from '../shared/contract/index.ts';
import { openSealed, seal } from '../shared/codec/envelope.ts';
import { blockReplySchema } from '../shared/contract/schemas/index.ts';

const DEFINITION = `
name: bench-python
blocks:
  - id: source
    type: code
    code: 'return { rows: [] }'
  - id: python
    type: code
    language: python
    after: [source]
    code: |
      totals = {}
      for row in source.data.rows:
          totals[row.region] = totals.get(row.region, 0) + row.total
      return {"regions": len(totals), "top": max(totals, key=totals.get), "block": context.block}
  - id: javascript
    type: code
    after: [source]
    code: |
      const totals = {};
      for (const row of source.data.rows) totals[row.region] = (totals[row.region] ?? 0) + row.total;
      const top = Object.keys(totals).sort((a, b) => totals[b] - totals[a])[0];
      return { regions: Object.keys(totals).length, top, block: context.block };
`;

const ROWS = Array.from({ length: 200 }, (_, i) => ({ id: i, region: ['eu', 'us', 'apac'][i % 3], total: (i * 37) % 500 }));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function timed(runs: number, once: () => Promise<void>, before?: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before?.();
    const start = performance.now();
    await once();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

export async function benchPython(options: { quick: boolean }): Promise<void> {
  const runs = options.quick ? 20 : 60;
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-python-'));
  const snapshotDir = join(dir, 'snapshot');
  const env = { ENCRYPTION_KEY: generateKey(), BATON_RESULTS_URL: pathToFileURL(dir).href, BATON_PYTHON_SNAPSHOT_DIR: snapshotDir };
  const runtimes: ExecutorRuntime[] = [];
  const newRuntime = (extra: Record<string, string> = {}) => {
    const runtime = createExecutorRuntime({ ...env, ...extra });
    runtimes.push(runtime);
    return runtime;
  };
  try {
    const compiled = compileDefinition(parseDefinition(DEFINITION, 'bench-python.yaml'));
    const runId = 'bench-python-run';
    const setup = newRuntime();
    await setup.store.putJson(storeKeys.definition(compiled.hash), compiled.definition);
    await setup.store.putJson(storeKeys.block(runId, 'source'), { data: { rows: ROWS } });
    const invocation = (blockId: string) => {
      const envelope: BlockEnvelope = {
        v: 1,
        runId,
        workflow: 'bench-python',
        blockId,
        definitionHash: compiled.hash,
        attempt: 1,
        deadline: Date.now() + 3_600_000,
        scope: { source: 'completed' },
      };
      return { v: 1, enc: seal(setup.keyRing, envelope, ENVELOPE_AAD).enc };
    };
    const invoke = (runtime: ExecutorRuntime, blockId: string) => {
      const handler = codeExecutor.serve(runtime);
      const event = invocation(blockId);
      return async () => {
        const reply = await handler(event);
        if (!('enc' in reply)) throw new Error(`executor failed: ${JSON.stringify(reply)}`);
        const opened = openSealed(runtime.keyRing, reply.enc, REPLY_AAD, blockReplySchema, 'reply');
        if (!opened.ok) throw new Error(`block failed: ${JSON.stringify(opened.error)}`);
      };
    };

    // Executor cold start: a new runtime's first Python block. First with no snapshot anywhere (the block makes it), then with it on disk.
    const coldWithout = performance.now();
    await invoke(newRuntime(), 'python')();
    const coldNoSnapshotMs = performance.now() - coldWithout;
    const coldStarts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const runtime = newRuntime();
      const start = performance.now();
      await invoke(runtime, 'python')();
      coldStarts.push(performance.now() - start);
      runtime.python.dispose();
    }
    coldStarts.sort((a, b) => a - b);

    // Warm: an interpreter already booted in the pool for each run (the pool refilled between runs, untimed).
    const warmRuntime = newRuntime({ BATON_PYTHON_POOL_SIZE: '1' });
    await warmRuntime.python.warm();
    const warmPython = await timed(runs, invoke(warmRuntime, 'python'), () => warmRuntime.python.warm());
    const warmJs = await timed(runs * 10, invoke(warmRuntime, 'javascript'));

    // A fresh interpreter's boot from the snapshot, one after another.
    const boots = new PythonSandbox({ poolSize: 0, snapshotDir });
    await boots.warm();
    const bootTimes: number[] = [];
    for (let i = 0; i < Math.max(10, runs / 2); i++) {
      const result = await boots.run({ code: 'return 1', scope: {}, timeoutMs: 10_000, maxResultBytes: 1000 });
      if (!result.ok) throw new Error(`boot run failed: ${result.error.message}`);
      bootTimes.push(boots.lastBootMs);
    }
    boots.dispose();
    bootTimes.sort((a, b) => a - b);

    // Memory: RSS with four interpreters pooled, against none.
    const pooled = 4;
    const memory = new PythonSandbox({ poolSize: pooled, snapshotDir });
    await memory.run({ code: 'return 1', scope: {}, timeoutMs: 10_000, maxResultBytes: 1000 });
    memory.dispose();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssBefore = process.memoryUsage().rss;
    const memorySandbox = new PythonSandbox({ poolSize: pooled, snapshotDir });
    await memorySandbox.warm();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const perInterpreter = (process.memoryUsage().rss - rssBefore) / pooled;
    const counted = await memorySandbox.pooledMemory();
    memorySandbox.dispose();

    // Sustained: two runs at a time for a while, each on a fresh interpreter (boots included, as they must be).
    const sustained = newRuntime({ BATON_PYTHON_POOL_SIZE: '2' });
    await sustained.python.warm();
    const sustainedRun = invoke(sustained, 'python');
    const total = options.quick ? 20 : 60;
    let started = 0;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    await Promise.all(
      [0, 1].map(async () => {
        while (started < total) {
          started++;
          await sustainedRun();
        }
      }),
    );
    const wall = (performance.now() - wallStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);

    const load = loadavg().map((n) => n.toFixed(1)).join(' ');
    console.log(`\nPython blocks (Pyodide ${boots.memoryMb} MB memory cap), ${process.version}, ${cpus().length} CPUs, load average ${load} at the end`);
    console.log('| figure | value |');
    console.log('| --- | --- |');
    console.log(`| warm Python block inside the executor (pre-booted interpreter), p50 / p99 | ${warmPython.p50.toFixed(1)} / ${warmPython.p99.toFixed(1)} ms |`);
    console.log(`| the same block in JavaScript, warm isolate, p50 / p99 | ${warmJs.p50.toFixed(2)} / ${warmJs.p99.toFixed(2)} ms |`);
    console.log(`| fresh interpreter boot from the snapshot, p50 / p99 | ${percentile(bootTimes, 50).toFixed(0)} / ${percentile(bootTimes, 99).toFixed(0)} ms |`);
    console.log(`| executor cold start with Python, snapshot on disk (median of 3) | ${coldStarts[1]!.toFixed(0)} ms |`);
    console.log(`| executor cold start with Python, no snapshot yet (makes it) | ${coldNoSnapshotMs.toFixed(0)} ms |`);
    console.log(`| memory per pooled interpreter: RSS growth with ${pooled} pooled / V8's count (JS heap + wasm memory) | ${mb(perInterpreter)} MB / ${mb(counted.bytes / Math.max(1, counted.interpreters))} MB |`);
    console.log(`| sustained Python runs, 2 at a time, fresh interpreter each | ${(total / wall).toFixed(1)} runs/s, ${(total / ((cpu.user + cpu.system) / 1e6)).toFixed(1)} per CPU second |`);
    console.log('\ngoals: warm Python p50 <= 20 ms, boot <= 500 ms, cold start <= 3 s');
  } finally {
    for (const runtime of runtimes) {
      runtime.sandbox.dispose();
      runtime.python.dispose();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
