/**
 * Query and http blocks through the whole stack: the worker, the Lambda
 * client against the local Invoke endpoint, the db-connector handler, the
 * real PostgreSQL and MariaDB and a local HTTP server. Secrets go in through
 * BATON_SECRET_* and must come out nowhere: not in process output, stored
 * results, block logs or run errors.
 */
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools } from '../../functions/db-connector/query.ts';
import { DATABASES, TEST_DB_PASSWORD } from '../support/databases.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { postgresAdmin } from '../unit/functions/db-connector/helpers.ts';

const TOKEN = 'e2e-token-7c1d5a9e';
const table = `e2e_orders_${process.pid}`;
let stack: TestStack;
let api: Server;
let admin: pg.Client;
const output: string[] = [];
const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  // Everything this process prints is kept, to look for the secrets in it (and still printed).
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return (writes[stream] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  }
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/hooks/unavailable') {
        res.writeHead(503, { 'retry-after': '0' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: JSON.parse(body || 'null'), auth: req.headers.authorization }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  admin = await postgresAdmin();
  await admin.query(`create table ${table} (id int primary key, region text, total numeric(12, 2))`);
  await admin.query(`insert into ${table} values (1, 'eu', 10.50), (2, 'eu', 20.25), (3, 'us', 99.00)`);
  stack = await startTestStack({
    BATON_SECRET_E2E_DB_PASSWORD: TEST_DB_PASSWORD,
    BATON_SECRET_E2E_TOKEN: TOKEN,
    BATON_RESOURCES: JSON.stringify({
      shop: { type: 'postgres', url: DATABASES.postgres.url.replace('TEST_DB_PASSWORD', 'E2E_DB_PASSWORD') },
      legacy: { type: 'mysql', url: DATABASES.mysql.url.replace('TEST_DB_PASSWORD', 'E2E_DB_PASSWORD') },
      nowhere: { type: 'postgres', url: 'postgres://baton:{{ secret:E2E_TOKEN }}@127.0.0.1:1/baton' },
      hooks: {
        type: 'http',
        baseUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}/hooks`,
        headers: { Authorization: 'Bearer {{ secret:E2E_TOKEN }}' },
      },
    }),
  });
});
afterAll(async () => {
  process.stdout.write = writes.stdout;
  process.stderr.write = writes.stderr;
  await stack?.stop();
  await closePools();
  await admin?.query(`drop table if exists ${table}`);
  await admin?.end();
  api?.closeAllConnections();
  await new Promise((resolve) => api?.close(resolve));
});

/** Every object the run stored, decrypted, as text. */
async function storedText(runId: string): Promise<string> {
  const dir = join(stack.resultsDir, 'runs', runId);
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.bin'));
  const texts = await Promise.all(
    files.map(async (file) => JSON.stringify(await stack.store.getJson(relative(stack.resultsDir, join(dir, file)).replace(/\.bin$/, '')))),
  );
  expect(texts.length).toBeGreaterThan(0);
  return texts.join('\n');
}

describe('query and http blocks on the real stack', () => {
  it('query PostgreSQL with bound params, feed a code block, and post the result to an http resource', async () => {
    const outcome = await stack.run(
      `
name: digest
blocks:
  - id: orders
    type: query
    resource: shop
    sql: select id, total from ${table} where region = $1 order by id
    params: ["{{ trigger.data.region }}"]
  - id: legacy
    type: query
    resource: legacy
    sql: select ? + 1 as next
    params: ["{{ trigger.data.count }}"]
  - id: sum
    type: code
    after: [orders, legacy]
    code: |
      return { total: orders.data.rows.reduce((s, r) => s + Number(r.total), 0), next: legacy.data.rows[0].next }
  - id: notify
    type: http
    after: [sum]
    resource: hooks
    method: POST
    path: /digest
    body: { total: "{{ sum.data.total }}", region: "{{ trigger.data.region }}" }
`,
      { region: "eu' or '1'='1", count: 41 },
    );
    // the injection attempt is a value: no region matches it
    expect(outcome.status).toBe('completed');
    const notify = (outcome.output as { notify: { status: number; body: unknown } }).notify;
    expect(notify.status).toBe(200);
    expect(notify.body).toEqual({ received: { total: 0, region: "eu' or '1'='1" }, auth: 'Bearer ****' });

    const honest = await stack.run(
      `
name: digest-eu
blocks:
  - id: orders
    type: query
    resource: shop
    sql: select id, total from ${table} where region = $1 order by id
    params: ["{{ trigger.data.region }}"]
`,
      { region: 'eu' },
    );
    expect(honest.output).toEqual({
      orders: { rows: [{ id: 1, total: '10.50' }, { id: 2, total: '20.25' }], rowCount: 2, fields: [{ name: 'id', type: 'int4' }, { name: 'total', type: 'numeric' }] },
    });
    expect(await storedText(outcome.runId)).not.toContain(TOKEN);
  });

  it('fails the run at once on a constraint violation, naming the block and the database message', async () => {
    const outcome = await stack.run(`
name: duplicate
blocks:
  - id: insert
    type: query
    resource: shop
    sql: insert into ${table} values (1, 'eu', 1)
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.blockId).toBe('insert');
    expect(outcome.error?.message).toContain(`duplicate key value violates unique constraint "${table}_pkey"`);
    expect(outcome.final!.blocks.insert).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'ConstraintViolation' } });
  });

  it('keeps secrets out of errors, results and output when a resource cannot be reached', async () => {
    const outcome = await stack.run(`
name: unreachable
blocks:
  - id: lookup
    type: query
    resource: nowhere
    sql: select 1
    onError: continue
  - id: hook
    type: http
    resource: hooks
    path: /unavailable
    onError: continue
`);
    expect(outcome.status).toBe('completed');
    const { lookup, hook } = outcome.final!.blocks;
    expect(lookup).toMatchObject({ status: 'failed', error: { type: 'ConnectionError' } });
    expect(hook).toMatchObject({ status: 'failed', error: { type: 'HttpError' } });
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
    expect(await storedText(outcome.runId)).not.toContain(TOKEN);
  });

  it('fails a block at once, naming the setting, when BATON_RESOURCES is malformed', async () => {
    // A stack of its own: the executors read their settings from the env they were built with, as a Lambda function does.
    const misconfigured = await startTestStack({ BATON_RESOURCES: JSON.stringify({ shop: { type: 'oracle', url: 'x' } }) });
    try {
      const outcome = await misconfigured.run(`
name: misconfigured
blocks:
  - id: lookup
    type: query
    resource: shop
    sql: select 1
    retry: { maxAttempts: 3, initialIntervalMs: 10 }
`);
      expect(outcome.status).toBe('failed');
      expect(outcome.final!.blocks.lookup).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'ConfigError' } });
      expect(outcome.error?.message).toContain('BATON_RESOURCES: shop.type');
    } finally {
      await misconfigured.stop();
    }
  });

  it('never printed a secret', () => {
    expect(output.join('')).not.toContain(TOKEN);
    expect(output.join('')).not.toContain(`:${TEST_DB_PASSWORD}@`);
  });
});
