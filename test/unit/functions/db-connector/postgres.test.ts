/**
 * Query blocks against the real PostgreSQL: types, bound values, statements
 * and transactions, error classes, timeouts, caps, and a pool that recovers
 * when its connections are killed.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools, runQuery } from '../../../../functions/db-connector/query.ts';
import { DATABASES, TEST_DB_PASSWORD } from '../../../support/databases.ts';
import { postgresAdmin, request, sqlResource, uniqueName, stepFailure } from './helpers.ts';

const table = uniqueName('pg_items');
const resource = sqlResource('postgres');
let admin: pg.Client;


beforeAll(async () => {
  admin = await postgresAdmin();
  await admin.query(`create table ${table} (id int primary key, name text not null)`);
});
afterAll(async () => {
  await admin.query(`drop table if exists ${table}`);
  await admin.end();
  await closePools();
});

describe('values', () => {
  it('come back as the JSON types the README promises', async () => {
    const result = await runQuery(
      resource,
      request(
        `select 1::int2 as small, 2147483647::int4 as int, 9007199254740993::int8 as big,
                12345678901234567890.123456789::numeric as exact, 1.5::float8 as float, 'NaN'::float8 as nan,
                true as flag, 'text'::text as words, date '2024-02-29' as day,
                timestamp '2024-02-29 13:14:15.123456' as local_time,
                timestamptz '2024-02-29 13:14:15.5+02' as instant, interval '1 day 2 hours' as span,
                '\\xdeadbeef'::bytea as bytes, '{"a": [1, "b"]}'::jsonb as doc,
                '6f1c7b0e-1b1a-4a8e-9d4e-0a3c5e7f9b2d'::uuid as id,
                array[1, 9007199254740993]::int8[] as bigs, array[1.10, 2.25]::numeric[] as exacts,
                array[timestamptz '2024-01-01 00:00:00+00', null] as instants, null::text as nothing`,
      ),
    );
    expect(result.rowCount).toBe(1);
    expect(result.rows).toEqual([
      {
        small: 1,
        int: 2147483647,
        big: '9007199254740993',
        exact: '12345678901234567890.123456789',
        float: 1.5,
        nan: 'NaN',
        flag: true,
        words: 'text',
        day: '2024-02-29',
        local_time: '2024-02-29T13:14:15.123456',
        instant: '2024-02-29T11:14:15.5Z',
        span: 'P1DT2H',
        bytes: Buffer.from('deadbeef', 'hex').toString('base64'),
        doc: { a: [1, 'b'] },
        id: '6f1c7b0e-1b1a-4a8e-9d4e-0a3c5e7f9b2d',
        bigs: ['1', '9007199254740993'],
        exacts: ['1.10', '2.25'],
        instants: ['2024-01-01T00:00:00Z', null],
        nothing: null,
      },
    ]);
    expect(result.fields.slice(0, 4)).toEqual([
      { name: 'small', type: 'int2' },
      { name: 'int', type: 'int4' },
      { name: 'big', type: 'int8' },
      { name: 'exact', type: 'numeric' },
    ]);
    expect(result.fields.find((f) => f.name === 'instant')).toEqual({ name: 'instant', type: 'timestamptz' });
  });

  it('binds params of every JSON type, arrays as PostgreSQL arrays and objects as JSON', async () => {
    const result = await runQuery(
      resource,
      request('select $1::int as n, $2::text as s, $3::bool as b, $4::int[] as a, $5::jsonb as j, $6::text as nothing', {
        params: [42, 'x', false, [1, 2], { k: 'v' }, null],
      }),
    );
    expect(result.rows).toEqual([{ n: 42, s: 'x', b: false, a: [1, 2], j: { k: 'v' }, nothing: null }]);
  });

  it('keeps injection attempts as values: they are stored and compared verbatim, never run', async () => {
    const attack = `x'); drop table ${table}; --`;
    await runQuery(resource, request(`insert into ${table} (id, name) values ($1, $2)`, { params: [1, attack] }));
    const stored = await runQuery(resource, request(`select name from ${table} where id = $1`, { params: [1] }));
    expect(stored.rows).toEqual([{ name: attack }]);
    const tautology = await runQuery(resource, request(`select id from ${table} where name = $1`, { params: ["' or '1'='1"] }));
    expect(tautology.rowCount).toBe(0);
    const placeholder = await runQuery(resource, request('select $1::text as v', { params: ['$1; select 2'] }));
    expect(placeholder.rows).toEqual([{ v: '$1; select 2' }]);
    const count = await admin.query(`select count(*)::int as n from ${table}`);
    expect(count.rows[0]).toEqual({ n: 1 });
  });
});

describe('secrets in data', () => {
  it('are masked in the rows a query returns', async () => {
    // The resource's password is the secret TEST_DB_PASSWORD; a row that carries it is blanked.
    const result = await runQuery(resource, request(`select 'the password is ' || $1 as leak`, { params: [TEST_DB_PASSWORD] }));
    expect(result.rows).toEqual([{ leak: 'the password is ****' }]);
  });
});

describe('statements and transactions', () => {
  it('answers with the last statement: rows of a select, rowCount of a change', async () => {
    const inserted = await runQuery(
      resource,
      request(`insert into ${table} values ($1, 'a'), ($2, 'b'); update ${table} set name = 'c' where id in ($1, $2)`, { params: [10, 11] }),
    );
    expect(inserted).toEqual({ rows: [], rowCount: 2, fields: [] });
  });

  it('commits every statement of a transaction together', async () => {
    const result = await runQuery(
      resource,
      request(`insert into ${table} values (20, 'one'); insert into ${table} values (21, 'two'); select count(*)::int as n from ${table} where id >= 20`, {
        transaction: true,
      }),
    );
    expect(result.rows).toEqual([{ n: 2 }]);
    expect((await admin.query(`select id from ${table} where id >= 20 order by id`)).rows).toEqual([{ id: 20 }, { id: 21 }]);
  });

  it('rolls all of them back when one fails, and the pooled connection stays usable', async () => {
    const error = await stepFailure(
      runQuery(resource, request(`insert into ${table} values (30, 'kept?'); insert into ${table} values (30, 'duplicate')`, { transaction: true })),
    );
    expect(error.type).toBe('ConstraintViolation');
    expect(error.retryable).toBe(false);
    expect((await admin.query(`select id from ${table} where id = 30`)).rowCount).toBe(0);
    const after = await runQuery(resource, request('select 1 as ok'));
    expect(after.rows).toEqual([{ ok: 1 }]);
  });

  it('without transaction, statements before a failure stay done', async () => {
    await stepFailure(runQuery(resource, request(`insert into ${table} values (40, 'stays'); insert into ${table} values (40, 'duplicate')`)));
    expect((await admin.query(`select name from ${table} where id = 40`)).rows).toEqual([{ name: 'stays' }]);
  });
});

describe('errors', () => {
  it('fails a syntax error at once with the database message, its code and the block id', async () => {
    const error = await stepFailure(runQuery(resource, request('selec 1')));
    expect(error).toMatchObject({ type: 'SqlSyntaxError', retryable: false });
    expect(error.message).toBe('block "orders" (resource db): syntax error at or near "selec" [42601]');
  });

  it('fails a constraint violation at once, with the detail PostgreSQL gives', async () => {
    await runQuery(resource, request(`insert into ${table} values (50, 'first')`));
    const error = await stepFailure(runQuery(resource, request(`insert into ${table} values (50, 'second')`)));
    expect(error).toMatchObject({ type: 'ConstraintViolation', retryable: false });
    expect(error.message).toContain(`duplicate key value violates unique constraint "${table}_pkey" (Key (id)=(50) already exists.) [23505]`);
    const notNull = await stepFailure(runQuery(resource, request(`insert into ${table} values (51, null)`)));
    expect(notNull).toMatchObject({ type: 'ConstraintViolation', retryable: false });
  });

  it('marks a serialization failure retryable', async () => {
    const error = await stepFailure(
      runQuery(resource, request(`do $$ begin raise exception 'could not serialize access' using errcode = 'serialization_failure'; end $$`)),
    );
    expect(error).toMatchObject({ type: 'SerializationFailure', retryable: true });
  });

  it('marks the victim of a real deadlock retryable, and the other transaction commits', async () => {
    const locks = uniqueName('pg_locks');
    await admin.query(`create table ${locks} (id int primary key, v int); insert into ${locks} values (1, 0), (2, 0)`);
    try {
      const crossing = (first: number, second: number) =>
        runQuery(
          resource,
          request(
            `update ${locks} set v = v + 1 where id = ${first}; select pg_sleep(0.5); update ${locks} set v = v + 1 where id = ${second}`,
            { transaction: true },
          ),
        );
      const outcomes = await Promise.allSettled([crossing(1, 2), crossing(2, 1)]);
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toMatchObject({ type: 'Deadlock', retryable: true });
      expect((await admin.query(`select sum(v)::int as total from ${locks}`)).rows).toEqual([{ total: 2 }]);
    } finally {
      await admin.query(`drop table ${locks}`);
    }
  });

  it('marks a refused connection retryable, naming the resource', async () => {
    const closed = sqlResource('postgres', { url: 'postgres://baton:{{ secret:TEST_DB_PASSWORD }}@127.0.0.1:1/baton' });
    const error = await stepFailure(runQuery(closed, request('select 1', { resourceName: uniqueName('refused') })));
    expect(error.type).toBe('ConnectionError');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^block "orders" \(resource refused_\d+_\d+\): .*ECONNREFUSED/);
  });

  it('refuses an http resource for a query block', async () => {
    const http = { type: 'http', baseUrl: 'http://127.0.0.1:1', headers: {}, maxRedirects: 5 } as const;
    const error = await stepFailure(runQuery(http, request('select 1')));
    expect(error).toMatchObject({ type: 'ResourceError', retryable: false });
  });
});

describe('limits', () => {
  it('times out a long statement on the server, retryably, and the pool goes on', async () => {
    const name = uniqueName('slow');
    const error = await stepFailure(runQuery(resource, request('select pg_sleep(5)', { resourceName: name, timeoutMs: 300 })));
    expect(error).toMatchObject({ type: 'QueryTimeout', retryable: true });
    expect(error.message).toContain('canceling statement due to statement timeout');
    const next = await runQuery(resource, request('select 2 as n', { resourceName: name }));
    expect(next.rows).toEqual([{ n: 2 }]);
  });

  it('fails a result over maxRows or maxBytes with a clear error, and the next query works', async () => {
    const capped = sqlResource('postgres', { maxRows: 5, maxBytes: 2000 });
    const name = uniqueName('capped');
    const rows = await stepFailure(runQuery(capped, request('select generate_series(1, 1000000) as n', { resourceName: name })));
    expect(rows).toMatchObject({ type: 'ResultTooLarge', retryable: false });
    expect(rows.message).toBe(
      `block "orders" (resource ${name}): the query returned more than 5 rows (maxRows); add a LIMIT or raise the resource's maxRows`,
    );
    const bytes = await stepFailure(runQuery(capped, request(`select repeat('x', 1000) as s from generate_series(1, 3)`, { resourceName: name })));
    expect(bytes).toMatchObject({ type: 'ResultTooLarge', retryable: false });
    expect(bytes.message).toContain('more than 2000 bytes (maxBytes)');
    expect((await runQuery(capped, request('select generate_series(1, 5) as n', { resourceName: name }))).rowCount).toBe(5);
  });
});

describe('a pool whose connections are killed', () => {
  it('replaces an idle connection killed on the server, and the next query succeeds', async () => {
    const single = sqlResource('postgres', { poolSize: 1 });
    const name = uniqueName('killed_idle');
    const before = await runQuery(single, request('select pg_backend_pid() as pid', { resourceName: name }));
    const pid = (before.rows[0] as { pid: number }).pid;
    const killed = await admin.query('select pg_terminate_backend($1) as done', [pid]);
    expect(killed.rows).toEqual([{ done: true }]);
    const after = await runQuery(single, request('select pg_backend_pid() as pid', { resourceName: name }));
    expect((after.rows[0] as { pid: number }).pid).not.toBe(pid);
  });

  it('fails the query whose connection is killed under it retryably, and the next succeeds', async () => {
    const single = sqlResource('postgres', { poolSize: 1 });
    const name = uniqueName('killed_busy');
    const { rows } = await runQuery(single, request('select pg_backend_pid() as pid', { resourceName: name }));
    const pid = (rows[0] as { pid: number }).pid;
    const sleeping = stepFailure(runQuery(single, request('select pg_sleep(30)', { resourceName: name, timeoutMs: 60_000 })));
    // Terminate only once the sleep is running on that backend.
    for (let i = 0; i < 100; i++) {
      const state = await admin.query(`select query from pg_stat_activity where pid = $1`, [pid]);
      if (String(state.rows[0]?.query).includes('pg_sleep')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const error = await sleeping;
    expect(error).toMatchObject({ type: 'ConnectionError', retryable: true });
    const after = await runQuery(single, request('select 3 as n', { resourceName: name }));
    expect(after.rows).toEqual([{ n: 3 }]);
  });
});

describe('SSL', () => {
  /** The server's own certificate (Debian's snakeoil) and the name in it. */
  async function serverCertificate() {
    const file = (await admin.query<{ ssl_cert_file: string }>('show ssl_cert_file')).rows[0]!.ssl_cert_file;
    const certificate = new X509Certificate(readFileSync(file));
    const name = /DNS:([^,\s]+)/.exec(certificate.subjectAltName ?? '')?.[1] ?? /CN=([^\n]+)/.exec(certificate.subject)![1]!;
    return { file, name };
  }
  const encrypted = async (settings: Record<string, unknown>) => {
    const name = uniqueName('ssl');
    const result = await runQuery(sqlResource('postgres', settings), request('select ssl from pg_stat_ssl where pid = pg_backend_pid()', { resourceName: name }));
    return (result.rows[0] as { ssl: boolean }).ssl;
  };

  it('encrypts when asked by the resource or the URL, and not when told not to', async () => {
    expect((await admin.query('show ssl')).rows).toEqual([{ ssl: 'on' }]);
    expect(await encrypted({ ssl: { rejectUnauthorized: false } })).toBe(true);
    expect(await encrypted({ url: `${DATABASES.postgres.url}?sslmode=require` })).toBe(true);
    expect(await encrypted({ url: `${DATABASES.postgres.url}?sslmode=disable` })).toBe(false);
    expect(await encrypted({})).toBe(false);
  });

  it('verifies the server against a CA file, under the name its certificate carries', async () => {
    const { file, name } = await serverCertificate();
    expect(await encrypted({ ssl: { ca: file, servername: name } })).toBe(true);
  });

  it('fails at once when the certificate cannot be verified', async () => {
    const error = await stepFailure(runQuery(sqlResource('postgres', { ssl: true }), request('select 1', { resourceName: uniqueName('unverified') })));
    expect(error).toMatchObject({ type: 'ConnectionError', retryable: false });
    expect(error.message).toMatch(/certificate/i);
  });

  it('refuses an sslmode it cannot honour', async () => {
    const error = await stepFailure(runQuery(sqlResource('postgres', { url: `${DATABASES.postgres.url}?sslmode=prefer` }), request('select 1', { resourceName: uniqueName('prefer') })));
    expect(error).toMatchObject({ type: 'ResourceError', retryable: false });
    expect(error.message).toContain('sslmode=prefer is not supported');
  });
});
