/**
 * `npm run bench -- sync [--runs=200]`: a sync HTTP trigger of four blocks
 * (three code blocks in a chain and a response) answered through the HTTP
 * API of `baton dev` as a user runs it, one request at a time: the time from
 * POST to the response block's reply. Beside it, in the same run and on the
 * same dev server, taking turns: plain Temporal doing the same work (a chain
 * of three activities) started and awaited through the client, on regular
 * and on local activities (bench/plain/). Writes bench/results/sync.md.
 */
import { loadConfig } from '../shared/config/index.ts';
import { connectClient } from '../shared/temporal/index.ts';
import { startWorkerProcess } from '../local/split-stack.ts';
import { startBatonDev } from './support/baton-dev.ts';
import { describeMachine } from './support/machine.ts';
import { numberOption } from './support/options.ts';
import { writeResult } from './support/results.ts';
import { fixed, summarize } from './support/stats.ts';

const NAMESPACE = 'baton-sync';
const WORKFLOW = 'sync-probe';
const PLAIN_QUEUE = 'bench-plain-sync';
const WARMUP_RUNS = 20;

/** Four blocks: three code blocks in a chain, then the response the caller waits for. */
const PROBE = `
name: ${WORKFLOW}
triggers:
  http: { mode: sync, timeoutMs: 25000 }
blocks:
  - id: one
    type: code
    code: "return trigger.data.n + 1"
  - id: two
    type: code
    after: [one]
    code: "return one.data + 1"
  - id: three
    type: code
    after: [two]
    code: "return two.data + 1"
  - id: reply
    type: response
    after: [three]
    body: { n: "{{ three.data }}" }
`;

export async function main(argv: readonly string[]): Promise<void> {
  const runs = numberOption(argv, 'runs', 200, true);
  const baton = await startBatonDev(NAMESPACE, { [`${WORKFLOW}.yaml`]: PROBE });
  try {
    const config = loadConfig(baton.env);
    const client = await connectClient(baton.env, config);
    const plainWorker = await startWorkerProcess({
      env: { ...baton.env, BATON_TASK_QUEUE: PLAIN_QUEUE },
      client,
      namespace: NAMESPACE,
      taskQueue: PLAIN_QUEUE,
      name: 'plain worker',
      entry: new URL('./plain/worker.ts', import.meta.url),
    });
    try {
      const batonOnce = async (n: number): Promise<number> => {
        const response = await baton.post(`/v1/workflows/${WORKFLOW}/runs`, { n });
        const body = (await response.json()) as { n?: unknown };
        if (response.status !== 200) throw new Error(`the sync trigger answered ${response.status}: ${JSON.stringify(body)}`);
        return Number(body.n);
      };
      const plainOnce = (workflow: string) => async (n: number): Promise<number> =>
        client.workflow.execute(workflow, {
          taskQueue: PLAIN_QUEUE,
          workflowId: `${workflow}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
          args: [{ n, length: 3 }],
        });
      const systems = { baton: batonOnce, plain: plainOnce('plainChain'), plainLocal: plainOnce('plainLocalChain') };
      const times: Record<keyof typeof systems, number[]> = { baton: [], plain: [], plainLocal: [] };

      console.error(`sync: baton dev up (API ${baton.api}); ${WARMUP_RUNS} warm-up requests each, then ${runs} each, taking turns`);
      for (let i = 0; i < WARMUP_RUNS; i++) {
        for (const [name, once] of Object.entries(systems)) {
          const got = await once(i);
          // All must compute the same thing, or the comparison means nothing.
          if (got !== i + 3) throw new Error(`${name} answered ${got} for ${i}, expected ${i + 3}`);
        }
      }
      for (let i = 0; i < runs; i++) {
        for (const [name, once] of Object.entries(systems) as Array<[keyof typeof systems, (n: number) => Promise<number>]>) {
          const started = performance.now();
          await once(i);
          times[name].push(performance.now() - started);
        }
      }
      const row = (label: string, values: number[]) => {
        const s = summarize(values);
        return `| ${label} | ${s.count} | ${fixed(s.p50)} | ${fixed(s.p90)} | ${fixed(s.p99)} | ${fixed(s.max)} |`;
      };
      const report = [
        `# Sync HTTP trigger: four blocks through the API`,
        '',
        `Machine: ${describeMachine()}. Command: \`npm run bench -- sync --runs=${runs}\`. Baton: \`baton dev\` (one process: API, worker, Lambda endpoint, executors; the Temporal dev server on a SQLite file as its child), a POST to a sync trigger of three chained code blocks and a response, timed until the reply. Plain: a chain of three in-process activities started and awaited through the client on the same dev server (no HTTP), taking turns with Baton one request at a time.`,
        '',
        '| | requests | p50 ms | p90 ms | p99 ms | max ms |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        row('Baton: POST → sync reply', times.baton),
        row('plain Temporal, regular activities', times.plain),
        row('plain Temporal, local activities', times.plainLocal),
        '',
      ].join('\n');
      console.log(`\n${report}`);
      writeResult('sync.md', report);
    } finally {
      await plainWorker.stop();
      await client.connection.close();
    }
  } finally {
    await baton.stop();
  }
}
