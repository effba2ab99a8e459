/** PostgreSQL sessions through node-postgres: one bounded pool per resource, rows streamed one by one. */
import pg from 'pg';
import type { SqlResource } from '../../shared/config/resources.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { APPLICATION_NAME, type Row, type SqlPool, type SqlSession, type StatementOutcome } from './sql-session.ts';
import type { Statement } from './sql-statements.ts';
import { jsonValue, postgresTypeName, postgresTypes, type Field } from './sql-values.ts';

export function createPostgresPool(settings: ConnectionSettings, resource: SqlResource): SqlPool {
  const pool = new pg.Pool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    ...(settings.database !== undefined ? { database: settings.database } : {}),
    ssl: settings.ssl,
    max: resource.poolSize,
    idleTimeoutMillis: resource.idleTimeoutMs,
    connectionTimeoutMillis: resource.connectTimeoutMs,
    keepAlive: true,
    application_name: APPLICATION_NAME,
    types: postgresTypes,
  });
  // An idle connection that dies (server restart, pg_terminate_backend) is dropped by the pool;
  // without a listener its error would end the process.
  pool.on('error', () => undefined);
  return {
    dialect: 'postgres',
    beginSql: 'BEGIN',
    async session() {
      return postgresSession(await pool.connect());
    },
    end: () => pool.end(),
  };
}

function postgresSession(client: pg.PoolClient): SqlSession {
  let released = false;
  // The server may go away between two statements; the next statement reports it.
  const ignore = () => undefined;
  client.on('error', ignore);
  return {
    async prepare(timeoutMs) {
      // Every block starts from the same settings, whatever an earlier block on this connection set.
      await client.query(
        `SET statement_timeout = ${Math.max(1, Math.trunc(timeoutMs))}; SET TimeZone = 'UTC'; ` +
          `SET IntervalStyle = 'iso_8601'; SET DateStyle = 'ISO, MDY'`,
      );
    },
    run(statement, onRow) {
      return runStatement(client, statement, onRow);
    },
    destroy() {
      client.connection.stream.destroy();
    },
    release(broken) {
      if (released) return;
      released = true;
      client.off('error', ignore);
      client.release(broken);
    },
  };
}

function runStatement(client: pg.PoolClient, statement: Statement, onRow: (row: Row) => void): Promise<StatementOutcome> {
  return new Promise((resolve, reject) => {
    // Without values node-postgres uses the simple protocol, which also runs statements that cannot be prepared.
    const query = new pg.Query({ text: statement.text, ...(statement.values.length > 0 ? { values: [...statement.values] } : {}) });
    let rowFailure: unknown;
    let rows = 0;
    // A 'row' listener keeps node-postgres from holding the whole result in memory.
    query.on('row', (row: Row) => {
      if (rowFailure !== undefined) return;
      rows += 1;
      try {
        const converted: Row = {};
        for (const [name, value] of Object.entries(row)) converted[name] = jsonValue(value);
        onRow(converted);
      } catch (error) {
        rowFailure = error;
        client.connection.stream.destroy();
      }
    });
    query.on('error', (error: Error) => reject(rowFailure ?? error));
    query.on('end', (ended: pg.Result | pg.Result[]) => {
      if (rowFailure !== undefined) return reject(rowFailure);
      const result = Array.isArray(ended) ? ended[ended.length - 1] : ended;
      const fields: Field[] = (result?.fields ?? []).map((f) => ({ name: f.name, type: postgresTypeName(f.dataTypeID) }));
      resolve({ rowCount: result?.rowCount ?? rows, fields });
    });
    client.query(query);
  });
}
