/**
 * `npm run bench -- executor`: one code block's execution inside the
 * code-executor, as a Lambda invocation runs it: the envelope opened, the
 * definition (cached) and the upstream result loaded from the encrypted
 * store, a fresh context, the code run, result and reply sealed and stored.
 * Measured on a warm isolate (back to back, and with blocks a few ms apart
 * as a Temporal round trip spaces them), on a new isolate every run, and
 * with node:vm in place of isolated-vm (the baseline), in the same process;
 * then the sandbox alone the same ways. Latency is p50/p99 of sequential runs;
 * throughput is blocks per second of wall time and per second of CPU (all
 * threads of the process: isolated-vm runs isolates on its own threads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKey } from '../shared/codec/index.ts';
import { compileDefinition, parseDefinition, transpileBlock } from '../shared/definition/index.ts';
import { createExecutorRuntime, type ExecutorRuntime } from '../functions/executor/index.ts';
import { Sandbox, type RunCodeRequest } from '../functions/executor/sandbox/index.ts';
import { codeExecutor } from '../functions/code-executor/executor.ts';
import { NodeVmSandbox } from './node-vm-sandbox.ts';
import { ENVELOPE_AAD, REPLY_AAD, storeKeys, type BlockEnvelope } from '../shared/contract/index.ts';
import { openSealed, seal } from '../shared/codec/envelope.ts';
import { blockReplySchema } from '../shared/contract/schemas/index.ts';

const DEFINITION = `
name: bench-executor
blocks:
  - id: source
    type: code
    code: 'return { n: 41 }'
  - id: trivial
    type: code
    after: [source]
    code: 'return { sum: source.data.n + 1, block: context.block }'
`;

/** Long enough for the sandbox to have made the next context ahead (it waits 2 ms of idle first). */
const GAP_MS = 5;

interface Figures {
  readonly label: string;
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
  readonly perCpuSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Pacing {
  /** Runs outside the timed part of each run (retiring the isolate, say). */
  readonly before?: () => void;
  /** Idle time between runs, as between blocks that come a Temporal round trip apart. */
  readonly gapMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(label: string, runs: number, once: () => Promise<void>, pacing: Pacing = {}): Promise<Figures> {
  const { before, gapMs } = pacing;
  for (let i = 0; i < Math.min(50, runs); i++) {
    before?.();
    await once();
  }
  const latencies: number[] = [];
  let busy = 0;
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    before?.();
    if (gapMs) await sleep(gapMs);
    const start = performance.now();
    await once();
    const took = performance.now() - start;
    latencies.push(took);
    busy += took;
  }
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  return {
    label,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: runs / (busy / 1000),
    perCpuSecond: runs / ((cpu.user + cpu.system) / 1e6),
  };
}

function table(title: string, rows: Figures[]): void {
  console.log(`\n${title}`);
  console.log('| shape | p50 ms | p99 ms | blocks/s (wall) | blocks/s per CPU second |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.label} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.perSecond.toFixed(0)} | ${r.perCpuSecond.toFixed(0)} |`);
  }
}

export async function benchExecutor(options: { quick: boolean }): Promise<void> {
  const runs = options.quick ? 300 : 3000;
  const coldRuns = options.quick ? 100 : 500;
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-executor-'));
  const env = { ENCRYPTION_KEY: generateKey(), BATON_RESULTS_URL: pathToFileURL(dir).href };
  const runtime = createExecutorRuntime(env);
  const vmRuntime: ExecutorRuntime = { ...runtime, sandbox: new NodeVmSandbox() as unknown as Sandbox };
  try {
    const compiled = compileDefinition(parseDefinition(DEFINITION, 'bench-executor.yaml'));
    const runId = 'bench-executor-run';
    await runtime.store.putJson(storeKeys.definition(compiled.hash), compiled.definition);
    await runtime.store.putJson(storeKeys.block(runId, 'source'), { data: { n: 41 } });
    const envelope: BlockEnvelope = {
      v: 1,
      runId,
      workflow: 'bench-executor',
      blockId: 'trivial',
      definitionHash: compiled.hash,
      attempt: 1,
      deadline: Date.now() + 3_600_000,
      scope: { source: 'completed' },
    };
    const invocation = { v: 1, enc: seal(runtime.keyRing, envelope, ENVELOPE_AAD).enc };

    const invoke = (rt: ExecutorRuntime) => {
      const handler = codeExecutor.serve(rt);
      return async () => {
        const reply = await handler(invocation);
        if (!('enc' in reply)) throw new Error(`executor failed: ${JSON.stringify(reply)}`);
        const opened = openSealed(rt.keyRing, reply.enc, REPLY_AAD, blockReplySchema, 'reply');
        if (!opened.ok) throw new Error(`block failed: ${JSON.stringify(opened.error)}`);
      };
    };
    const retire = () => runtime.sandbox.dispose();
    const executor = [
      await measure('isolated-vm, warm isolate', runs, invoke(runtime)),
      await measure(`isolated-vm, warm isolate, blocks ${GAP_MS} ms apart`, coldRuns, invoke(runtime), { gapMs: GAP_MS }),
      await measure('isolated-vm, new isolate', coldRuns, invoke(runtime), { before: retire }),
      await measure('node:vm (baseline, not a boundary)', runs, invoke(vmRuntime)),
    ];

    const request: RunCodeRequest = {
      functionSource: transpileBlock({ code: 'return { sum: source.data.n + 1, block: context.block }', language: 'javascript' }),
      scope: { source: { data: { n: 41 }, status: 'completed' }, context: { runId, workflow: 'bench-executor', block: 'trivial', attempt: 1 } },
      timeoutMs: 1000,
      maxResultBytes: 10 * 1024 * 1024,
    };
    const sandbox = new Sandbox();
    const nodeVm = new NodeVmSandbox();
    const direct = (target: { run(r: RunCodeRequest): Promise<{ ok: boolean }> }) => async () => {
      const result = await target.run(request);
      if (!result.ok) throw new Error(`sandbox failed: ${JSON.stringify(result)}`);
    };
    const alone = [
      await measure('isolated-vm, warm isolate', runs, direct(sandbox)),
      await measure(`isolated-vm, warm isolate, blocks ${GAP_MS} ms apart`, coldRuns, direct(sandbox), { gapMs: GAP_MS }),
      await measure('isolated-vm, new isolate', coldRuns, direct(sandbox), { before: () => sandbox.dispose() }),
      await measure('node:vm (baseline, not a boundary)', runs, direct(nodeVm)),
    ];
    sandbox.dispose();

    // Other work on the machine moves these figures; the load average says how much there was.
    const load = loadavg().map((n) => n.toFixed(1)).join(' ');
    console.log(`\none trivial code block, ${runs} sequential runs (${coldRuns} on a new isolate each), ${process.version}`);
    console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${load} at the end`);
    table('inside the executor (envelope opened, input loaded, run, result and reply stored)', executor);
    table('the sandbox alone (fresh context, scope in, run, JSON out)', alone);
    console.log('\ngoals: warm p50 <= 1 ms, new isolate p99 <= 10 ms, >= 1000 trivial blocks/s per core');
  } finally {
    runtime.sandbox.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
