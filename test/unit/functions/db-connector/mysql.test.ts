/**
 * Query blocks against the real MariaDB (the mysql resource type): types,
 * bound values, transactions, error classes, timeouts, caps, and a pool
 * that recovers when its connections are killed.
 */
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools, runQuery } from '../../../../functions/db-connector/query.ts';
import { mysqlAdmin, request, sqlResource, uniqueName, stepFailure } from './helpers.ts';

const table = uniqueName('my_items');
const resource = sqlResource('mysql');
let admin: Connection;


async function adminRows(sql: string, values: unknown[] = []): Promise<unknown[]> {
  const [rows] = await admin.query(sql, values);
  return rows as unknown[];
}

beforeAll(async () => {
  admin = await mysqlAdmin();
  await admin.query(`create table ${table} (id int primary key, name varchar(200) not null) engine=InnoDB`);
});
afterAll(async () => {
  await admin.query(`drop table if exists ${table}`);
  await admin.end();
  await closePools();
});

describe('values', () => {
  it('come back as the JSON types the README promises', async () => {
    const types = uniqueName('my_types');
    await admin.query(`create table ${types} (
      small tinyint, num int, big bigint, exact decimal(30, 9), approx double, flag boolean, words varchar(20),
      day date, local_time datetime(6), instant timestamp(3) null, bytes varbinary(8), blobby blob, doc json, nothing text)`);
    try {
      await admin.query(`insert into ${types} values (1, 2147483647, 9007199254740993, 12345678901234567890.123456789, 1.5, true,
        'text', '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.500', x'deadbeef', x'00ff', '{"a": [1, "b"]}', null)`);
      const result = await runQuery(resource, request(`select * from ${types}`));
      expect(result.rows).toEqual([
        {
          small: 1,
          num: 2147483647,
          big: '9007199254740993',
          exact: '12345678901234567890.123456789',
          approx: 1.5,
          flag: 1,
          words: 'text',
          day: '2024-02-29',
          local_time: '2024-02-29T13:14:15.123456',
          // written in the admin session's zone, read back in UTC
          instant: expect.stringMatching(/^2024-02-2\dT\d\d:\d\d:15\.500Z$/),
          bytes: Buffer.from('deadbeef', 'hex').toString('base64'),
          blobby: Buffer.from('00ff', 'hex').toString('base64'),
          doc: { a: [1, 'b'] },
          nothing: null,
        },
      ]);
      expect(result.fields.map((f) => f.type)).toEqual([
        'TINYINT', 'INT', 'BIGINT', 'DECIMAL', 'DOUBLE', 'TINYINT', 'VARCHAR', 'DATE', 'DATETIME', 'TIMESTAMP', 'VARBINARY', 'BLOB', 'JSON', 'TEXT',
      ]);
    } finally {
      await admin.query(`drop table ${types}`);
    }
  });

  it('reads a UTC timestamp back as the same instant', async () => {
    const result = await runQuery(resource, request(`select timestamp('2024-01-02 03:04:05') as t, cast(? as datetime) as d`, { params: ['2024-01-02 03:04:05'] }));
    expect(result.rows).toEqual([{ t: '2024-01-02T03:04:05', d: '2024-01-02T03:04:05' }]);
  });

  it('keeps injection attempts as values: they are stored and compared verbatim, never run', async () => {
    const attack = `x'); drop table ${table}; -- \\' ?`;
    await runQuery(resource, request(`insert into ${table} (id, name) values (?, ?)`, { params: [1, attack] }));
    const stored = await runQuery(resource, request(`select name from ${table} where id = ?`, { params: [1] }));
    expect(stored.rows).toEqual([{ name: attack }]);
    const tautology = await runQuery(resource, request(`select id from ${table} where name = ?`, { params: ["' or '1'='1"] }));
    expect(tautology.rowCount).toBe(0);
    expect(await adminRows(`select count(*) as n from ${table}`)).toEqual([{ n: 1 }]);
  });

  it('binds objects as JSON text and booleans and nulls as they are', async () => {
    const result = await runQuery(resource, request('select ? as j, ? as b, ? as n', { params: [{ k: 'v' }, true, null] }));
    expect(result.rows).toEqual([{ j: '{"k":"v"}', b: 1, n: null }]);
  });
});

describe('statements and transactions', () => {
  it('answers with the last statement: rowCount of a change', async () => {
    const result = await runQuery(resource, request(`insert into ${table} values (?, 'a'), (?, 'b'); update ${table} set name = 'c' where id in (?, ?)`, { params: [10, 11, 10, 11] }));
    expect(result).toEqual({ rows: [], rowCount: 2, fields: [] });
  });

  it('commits every statement of a transaction together, or none', async () => {
    const ok = await runQuery(resource, request(`insert into ${table} values (20, 'one'); insert into ${table} values (21, 'two'); select count(*) as n from ${table} where id >= 20`, { transaction: true }));
    // count(*) is a BIGINT: a string, like every 64-bit integer
    expect(ok.rows).toEqual([{ n: '2' }]);
    const error = await stepFailure(runQuery(resource, request(`insert into ${table} values (30, 'kept?'); insert into ${table} values (30, 'duplicate')`, { transaction: true })));
    expect(error).toMatchObject({ type: 'ConstraintViolation', retryable: false });
    expect(error.message).toContain(`Duplicate entry '30' for key 'PRIMARY' [ER_DUP_ENTRY]`);
    expect(await adminRows(`select id from ${table} where id = 30`)).toEqual([]);
  });
});

describe('errors', () => {
  it('fails a syntax error at once with the database message and the block id', async () => {
    const error = await stepFailure(runQuery(resource, request('selec 1')));
    expect(error).toMatchObject({ type: 'SqlSyntaxError', retryable: false });
    expect(error.message).toMatch(/^block "orders" \(resource db\): You have an error in your SQL syntax.*\[ER_PARSE_ERROR\]$/);
  });

  it('marks a serialization failure (SQLSTATE 40001) retryable', async () => {
    const error = await stepFailure(runQuery(resource, request(`signal sqlstate '40001' set message_text = 'serialization failure'`)));
    expect(error).toMatchObject({ type: 'SerializationFailure', retryable: true });
  });

  it('marks the victim of a real deadlock retryable, and the other transaction commits', async () => {
    const locks = uniqueName('my_locks');
    await admin.query(`create table ${locks} (id int primary key, v int) engine=InnoDB`);
    await admin.query(`insert into ${locks} values (1, 0), (2, 0)`);
    try {
      const crossing = (first: number, second: number) =>
        runQuery(resource, request(`update ${locks} set v = v + 1 where id = ${first}; do sleep(0.5); update ${locks} set v = v + 1 where id = ${second}`, { transaction: true }));
      const outcomes = await Promise.allSettled([crossing(1, 2), crossing(2, 1)]);
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toMatchObject({ type: 'Deadlock', retryable: true });
      expect(await adminRows(`select cast(sum(v) as signed) as total from ${locks}`)).toEqual([{ total: 2 }]);
    } finally {
      await admin.query(`drop table ${locks}`);
    }
  });

  it('marks a refused connection retryable', async () => {
    const closed = sqlResource('mysql', { url: 'mysql://baton:{{ secret:TEST_DB_PASSWORD }}@127.0.0.1:1/baton' });
    const error = await stepFailure(runQuery(closed, request('select 1', { resourceName: uniqueName('refused') })));
    expect(error).toMatchObject({ type: 'ConnectionError', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('fails a wrong password as an authentication error without showing it', async () => {
    process.env.BATON_SECRET_WRONG_DB_PASSWORD = 'not-the-password-0451';
    const wrong = sqlResource('mysql', { url: 'mysql://baton:{{ secret:WRONG_DB_PASSWORD }}@127.0.0.1:3306/baton' });
    const error = await stepFailure(runQuery(wrong, request('select 1', { resourceName: uniqueName('wrong') })));
    expect(error.type).toBe('AuthenticationError');
    expect(error.message).toContain('Access denied');
    expect(error.message).not.toContain('not-the-password-0451');
  });
});

describe('limits', () => {
  it('times out a long statement on the server, retryably, and the pool goes on', async () => {
    const name = uniqueName('slow');
    const error = await stepFailure(runQuery(resource, request(`select count(*) from information_schema.columns a, information_schema.columns b, information_schema.columns c`, { resourceName: name, timeoutMs: 300 })));
    expect(error).toMatchObject({ type: 'QueryTimeout', retryable: true });
    const next = await runQuery(resource, request('select 2 as n', { resourceName: name }));
    expect(next.rows).toEqual([{ n: 2 }]);
  });

  it('fails a result over maxRows with a clear error, and the next query works', async () => {
    const capped = sqlResource('mysql', { maxRows: 5 });
    const name = uniqueName('capped');
    const error = await stepFailure(runQuery(capped, request('select seq from seq_1_to_100000', { resourceName: name })));
    expect(error).toMatchObject({ type: 'ResultTooLarge', retryable: false });
    expect(error.message).toContain('more than 5 rows (maxRows)');
    expect((await runQuery(capped, request('select seq from seq_1_to_5', { resourceName: name }))).rowCount).toBe(5);
  });
});

describe('a pool whose connections are killed', () => {
  it('replaces an idle connection killed on the server, and the next query succeeds', async () => {
    const single = sqlResource('mysql', { poolSize: 1 });
    const name = uniqueName('killed_idle');
    const before = await runQuery(single, request('select connection_id() as id', { resourceName: name }));
    const id = Number((before.rows[0] as { id: number }).id);
    await admin.query(`kill ${id}`);
    const after = await runQuery(single, request('select connection_id() as id', { resourceName: name }));
    expect(Number((after.rows[0] as { id: number }).id)).not.toBe(id);
  });

  it('fails the query whose connection is killed under it retryably, and the next succeeds', async () => {
    const single = sqlResource('mysql', { poolSize: 1 });
    const name = uniqueName('killed_busy');
    const { rows } = await runQuery(single, request('select connection_id() as id', { resourceName: name }));
    const id = Number((rows[0] as { id: number }).id);
    const sleeping = stepFailure(runQuery(single, request('select sleep(30)', { resourceName: name, timeoutMs: 60_000 })));
    for (let i = 0; i < 100; i++) {
      const state = (await adminRows('select info from information_schema.processlist where id = ?', [id])) as Array<{ info: string | null }>;
      if (String(state[0]?.info).includes('sleep')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.query(`kill ${id}`);
    const error = await sleeping;
    expect(error).toMatchObject({ type: 'ConnectionError', retryable: true });
    const after = await runQuery(single, request('select 3 as n', { resourceName: name }));
    expect(after.rows).toEqual([{ n: 3 }]);
  });
});
