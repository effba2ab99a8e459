/**
 * `npm run bench [shapes] [--quick]`: Baton against plain Temporal workflows
 * doing the same work, shape by shape, on one dev server in one run. Every
 * part is its own process, as in production: the Temporal dev server, the
 * Baton worker (worker/main.ts), the executors behind the local Lambda
 * endpoint (local/lambda-main.ts), the plain worker (bench/plain/worker.ts);
 * this process only starts runs and waits for them. Writes a table, the raw
 * figures and a chart to bench/results/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../../shared/codec/index.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { startRun } from '../../shared/runs/index.ts';
import { openResultStore, storeKeys } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { startDevServer } from '../../local/dev-server.ts';
import { startLambdaProcess, startWorkerProcess } from '../../local/split-stack.ts';
import type { NodeProcess } from '../../local/node-process.ts';
import { bundleBatonWorkflows } from '../../worker/worker.ts';
import { measureSystem, type PhasePlan } from './measure.ts';
import { writeReport, type ShapeResult } from './report.ts';
import { SHAPES } from './shapes.ts';

const NAMESPACE = 'baton-bench';

export async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const only = argv.find((arg) => arg.startsWith('--shape='))?.slice('--shape='.length);
  const plan: PhasePlan = quick
    ? { warmupRuns: 3, latencyRuns: 15, latencyMaxMs: 4_000, throughputMs: 4_000 }
    : { warmupRuns: 10, latencyRuns: 100, latencyMaxMs: 20_000, throughputMs: 20_000 };
  const shapes = SHAPES.filter((shape) => !only || shape.id === only);
  if (shapes.length === 0) throw new Error(`--shape must be one of ${SHAPES.map((s) => s.id).join(', ')}`);

  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
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
      BATON_TASK_QUEUE: 'bench-baton',
      // Used by a worker/main.ts that reads it; one that does not bundles at start.
      BATON_WORKFLOW_BUNDLE: bundlePath,
    };
    const config = loadConfig(env);
    const client = await connectClient(env, config);
    stops.push(() => client.connection.close());
    const store = openResultStore(config.resultsUrl, config.keyRing);

    // BATON_BENCH_CPU_PROF=DIR: a V8 CPU profile of each Node process of the stack, for finding where the time goes.
    const profile = process.env.BATON_BENCH_CPU_PROF;
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : undefined;
    const lambda = await startLambdaProcess(env, { name: 'executors', ...(nodeArgs ? { nodeArgs } : {}) });
    stops.push(() => lambda.process.stop());
    const processes: NodeProcess[] = [];
    const start = async (name: string, taskQueue: string, entry?: URL) => {
      const proc = await startWorkerProcess({
        env: { ...env, BATON_TASK_QUEUE: taskQueue, BATON_LAMBDA_ENDPOINT: lambda.url },
        client,
        namespace: NAMESPACE,
        taskQueue,
        name,
        ...(entry ? { entry } : {}),
        ...(nodeArgs ? { nodeArgs } : {}),
      });
      processes.push(proc);
      stops.push(() => proc.stop());
      return proc;
    };
    const [batonWorker, plainWorker] = await Promise.all([
      start('baton worker', 'bench-baton'),
      start('plain worker', 'bench-plain', new URL('../plain/worker.ts', import.meta.url)),
    ]);

    const results: ShapeResult[] = [];
    for (const shape of shapes) {
      const compiled = compileDefinition(parseDefinition(shape.definition, `${shape.id}.yaml`));
      const batonOnce = async () => {
        const { runId, handle } = await startRun({ client, store, taskQueue: 'bench-baton', compiled, trigger: { type: 'manual', data: shape.trigger } });
        await handle.result();
        return runId;
      };
      const plainOnce = () =>
        client.workflow.execute(shape.plain.workflow, {
          taskQueue: 'bench-plain',
          workflowId: `plain-${shape.id}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
          args: [shape.plain.input],
        });

      // Both must compute the same thing, or the comparison means nothing.
      const batonOutput = await store.getJson<Record<string, unknown>>(storeKeys.output(await batonOnce()));
      const plainOutput = await plainOnce();
      const batonValue = Object.values(batonOutput ?? {})[0];
      if (JSON.stringify(batonValue) !== JSON.stringify(plainOutput)) {
        throw new Error(`shape ${shape.id}: Baton gave ${JSON.stringify(batonValue)}, plain gave ${JSON.stringify(plainOutput)}`);
      }

      const tag = (line: string) => console.error(`[${shape.id}] ${line}`);
      tag(`Baton: ${shape.title}`);
      const baton = await measureSystem({
        once: async () => void (await batonOnce()),
        plan,
        concurrency: shape.concurrency,
        pids: { worker: batonWorker.pid, executors: lambda.process.pid, temporal: server.process.pid ?? NaN },
      });
      tag(`plain: ${shape.title}`);
      const plain = await measureSystem({
        once: async () => void (await plainOnce()),
        plan,
        concurrency: shape.concurrency,
        pids: { worker: plainWorker.pid, temporal: server.process.pid ?? NaN },
      });
      results.push({ shape, baton, plain });
    }

    const files = writeReport({
      results,
      quick,
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
      plan,
    });
    console.error(`\nwritten: ${files.join(', ')}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(`stopping: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
