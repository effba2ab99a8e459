/**
 * `npm run bench [shapes] [--quick]`: Baton against plain Temporal workflows
 * doing the same work (`plain` on regular activities, `plainLocal` on local
 * activities), shape by shape, on one dev server in one run. Every
 * part is its own process, as in production: the Temporal dev server, the
 * Baton worker (worker/main.ts), the executors behind the local Lambda
 * endpoint (local/lambda-main.ts), the plain worker (bench/plain/worker.ts);
 * this process only starts runs and waits for them. Writes a table, the raw
 * figures and a chart to bench/results/.
 */
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { startRun } from '../../shared/runs/index.ts';
import { startBenchStack } from '../support/bench-stack.ts';
import { describeMachine } from '../support/machine.ts';
import { measureInTurns, type PhasePlan } from './measure.ts';
import { writeReport, type ShapeResult } from './report.ts';
import { SHAPES } from './shapes.ts';
import { storeKeys } from '../../shared/contract/index.ts';

const NAMESPACE = 'baton-bench';

export async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const only = argv.find((arg) => arg.startsWith('--shape='))?.slice('--shape='.length);
  const plan: PhasePlan = quick
    ? { warmupRuns: 3, latencyRuns: 15, latencyMaxMs: 6_000, throughputMs: 4_000, throughputRounds: 2 }
    : { warmupRuns: 10, latencyRuns: 100, latencyMaxMs: 40_000, throughputMs: 20_000, throughputRounds: 4 };
  const shapes = SHAPES.filter((shape) => !only || shape.id === only);
  if (shapes.length === 0) throw new Error(`--shape must be one of ${SHAPES.map((s) => s.id).join(', ')}`);

  const stack = await startBenchStack(NAMESPACE);
  try {
    const { client, store, lambda, server } = stack;
    const [batonWorker, plainWorker] = await Promise.all([
      stack.startWorker('baton worker', 'bench-baton'),
      stack.startWorker('plain worker', 'bench-plain', new URL('../plain/worker.ts', import.meta.url)),
    ]);

    const results: ShapeResult[] = [];
    for (const shape of shapes) {
      const compiled = compileDefinition(parseDefinition(shape.definition, `${shape.id}.yaml`));
      const batonOnce = async () => {
        const { runId, handle } = await startRun({ client, store, taskQueue: 'bench-baton', compiled, trigger: { type: 'manual', data: shape.trigger } });
        await handle.result();
        return runId;
      };
      const plainRun = (workflow: string) => () =>
        client.workflow.execute(workflow, {
          taskQueue: 'bench-plain',
          workflowId: `${workflow}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
          args: [shape.plain.input],
        });
      const plainOnce = plainRun(shape.plain.workflow);
      const plainLocalOnce = plainRun(shape.plain.workflow.replace(/^plain/, 'plainLocal'));

      // All must compute the same thing, or the comparison means nothing.
      const batonOutput = await store.getJson<Record<string, unknown>>(storeKeys.output(await batonOnce()));
      const batonValue = Object.values(batonOutput ?? {})[0];
      for (const [name, once] of [['plain', plainOnce], ['plainLocal', plainLocalOnce]] as const) {
        const value = await once();
        if (JSON.stringify(batonValue) !== JSON.stringify(value)) {
          throw new Error(`shape ${shape.id}: Baton gave ${JSON.stringify(batonValue)}, ${name} gave ${JSON.stringify(value)}`);
        }
      }

      const tag = (line: string) => console.error(`[${shape.id}] ${line}`);
      tag(shape.title);
      const plainPids = { worker: plainWorker.pid, temporal: server.process.pid ?? NaN };
      const { baton, plain, plainLocal } = await measureInTurns({
        systems: {
          baton: {
            once: async () => void (await batonOnce()),
            pids: { worker: batonWorker.pid, executors: lambda.process.pid, temporal: server.process.pid ?? NaN },
          },
          plain: { once: async () => void (await plainOnce()), pids: plainPids },
          plainLocal: { once: async () => void (await plainLocalOnce()), pids: plainPids },
        },
        plan,
        concurrency: shape.concurrency,
        log: tag,
      });
      results.push({ shape, baton, plain, plainLocal });
    }

    const files = writeReport({
      results,
      quick,
      machine: describeMachine(),
      plan,
    });
    console.error(`\nwritten: ${files.join(', ')}`);
  } finally {
    await stack.stop();
  }
}
