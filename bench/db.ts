/**
 * `npm run bench -- db [--quick]`: a trivial query block (`select $1::int`)
 * through the whole path (worker, Lambda client, local Invoke endpoint,
 * db-connector, PostgreSQL, encrypted result store) beside, in the same run:
 * - the same query on a node-postgres pool in this process (the floor);
 * - the db-connector's runQuery in-process (no Temporal, no Lambda);
 * - a plain Temporal workflow whose one activity runs the query.
 * Prints latency p50/p99 of one run at a time, and Baton's overhead over
 * the direct query and over plain Temporal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Worker } from '@temporalio/worker';
import { generateKey, workerDataConverterFor } from '../shared/codec/index.ts';
import { compileDefinition, parseDefinition } from '../shared/definition/index.ts';
import { resourceSchema } from '../shared/config/resources.ts';
import { closePools, runQuery } from '../functions/db-connector/query.ts';
import { Secrets } from '../functions/db-connector/secrets.ts';
import { connectWorker } from '../worker/connect.ts';
import { startDevServer } from '../local/dev-server.ts';
import { isListening } from '../local/free-port.ts';
import { startEmbeddedStack } from '../local/stack.ts';
import { createDbActivities } from './db-plain/activities.ts';

const RUNS = process.argv.includes('--quick') ? 50 : 300;
const PG = { host: '127.0.0.1', port: 5432, user: 'baton', password: 'baton', database: 'baton' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(label: string, once: () => Promise<unknown>) {
  for (let i = 0; i < 10; i++) await once(); // warm up: pools, JIT, caches
  const latencies: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await once();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  return { label, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

if (!(await isListening(PG.host, PG.port))) {
  throw new Error('PostgreSQL is not up on 127.0.0.1:5432: run scripts/start-databases.sh');
}
const server = await startDevServer({ namespaces: ['baton-bench'] });
const env = {
  ...process.env,
  TEMPORAL_ADDRESS: server.address,
  TEMPORAL_NAMESPACE: 'baton-bench',
  BATON_TASK_QUEUE: 'bench-db',
  ENCRYPTION_KEY: generateKey(),
  BATON_RESULTS_URL: `file://${mkdtempSync(join(tmpdir(), 'baton-bench-db-'))}`,
  BATON_SECRET_BENCH_DB_PASSWORD: PG.password,
  BATON_RESOURCES: JSON.stringify({ shop: { type: 'postgres', url: 'postgres://baton:{{ secret:BENCH_DB_PASSWORD }}@127.0.0.1:5432/baton' } }),
};
const stack = await startEmbeddedStack({ env, worker: true });
const pool = new pg.Pool({ ...PG, max: 4 });
try {
  const direct = await measure('direct node-postgres query', () => pool.query('select $1::int as one', [1]));

  const resource = resourceSchema.parse(JSON.parse(env.BATON_RESOURCES).shop);
  const secrets = new Secrets({ env });
  const connector = await measure('db-connector runQuery, in-process', () =>
    runQuery(resource, { resourceName: 'bench', blockId: 'one', sql: 'select $1::int as one', params: [1], transaction: false, timeoutMs: 10_000, secrets }),
  );

  const connection = await connectWorker(env, stack.config);
  const plainWorker = await Worker.create({
    connection,
    namespace: 'baton-bench',
    taskQueue: 'plain-db',
    workflowsPath: fileURLToPath(new URL('./db-plain/workflows.ts', import.meta.url)),
    activities: createDbActivities(pool),
    // The same encrypting codec as Baton's, so the comparison is of the work, not of encryption.
    dataConverter: workerDataConverterFor(stack.config.keyRing),
  });
  const plain = await plainWorker.runUntil(
    measure('plain Temporal workflow, 1 activity', () =>
      stack.client.workflow.execute('plainQuery', { taskQueue: 'plain-db', workflowId: `plain-db-${Math.random()}` }),
    ),
  );
  await connection.close();

  const compiled = compileDefinition(
    parseDefinition(
      'name: one-query\nblocks:\n  - id: one\n    type: query\n    resource: shop\n    sql: select $1::int as one\n    params: [1]\n',
      'one-query.yaml',
    ),
  );
  const baton = await measure('baton query block, whole path', async () => {
    const { handle } = await stack.start(compiled, { type: 'manual', data: null });
    await handle.result();
  });

  console.log(`\nsingle trivial query (select $1::int), ${RUNS} sequential runs each`);
  console.log('| shape | p50 ms | p99 ms |');
  console.log('| --- | --- | --- |');
  for (const r of [direct, connector, plain, baton]) console.log(`| ${r.label} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
  const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms`;
  const over = (a: typeof baton, b: typeof baton) => `p50 ${signed(a.p50 - b.p50)}, p99 ${signed(a.p99 - b.p99)}`;
  console.log(`baton overhead over the direct query: ${over(baton, direct)}`);
  console.log(`baton overhead over plain Temporal:   ${over(baton, plain)}`);
  console.log(`db-connector overhead in-process:     ${over(connector, direct)}`);
} finally {
  await pool.end();
  await closePools();
  await stack.stop();
  await server.stop();
}
