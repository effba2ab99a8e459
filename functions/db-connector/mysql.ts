/**
 * MySQL and MariaDB sessions through mysql2: one bounded pool per resource,
 * statements with values as server-side prepared statements (the values
 * never enter the SQL text), rows streamed one by one.
 */
import mysql from 'mysql2';
import type { SqlResource } from '../../shared/config/resources.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { APPLICATION_NAME, type Row, type SqlPool, type SqlSession, type StatementOutcome } from './sql-session.ts';
import type { Statement } from './sql-statements.ts';
import { jsonValue, mysqlConverter, mysqlTypeName, type Field } from './sql-values.ts';

export function createMysqlPool(settings: ConnectionSettings, resource: SqlResource): SqlPool {
  const pool = mysql.createPool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    ...(settings.database !== undefined ? { database: settings.database } : {}),
    ...(settings.ssl ? { ssl: settings.ssl as mysql.SslOptions } : {}),
    connectionLimit: resource.poolSize,
    maxIdle: resource.poolSize,
    idleTimeout: resource.idleTimeoutMs,
    connectTimeout: resource.connectTimeoutMs,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    connectAttributes: { program_name: APPLICATION_NAME },
    charset: 'utf8mb4',
    // Big numbers and dates as text, converted in sql-values.ts so both databases agree.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    multipleStatements: false,
    maxPreparedStatements: 256,
  });
  return {
    dialect: 'mysql',
    beginSql: 'START TRANSACTION',
    session: () =>
      new Promise((resolve, reject) => {
        pool.getConnection((error, connection) => (error ? reject(error) : resolve(mysqlSession(connection))));
      }),
    end: () => new Promise((resolve) => pool.end(() => resolve())),
  };
}

function mysqlSession(connection: mysql.PoolConnection): SqlSession {
  let released = false;
  // A fatal error between two statements is reported by the next one; unheard, it would end the process.
  const ignore = () => undefined;
  connection.on('error', ignore);
  // mysql2 learns the flavour from the handshake; the two name their statement limit differently.
  const isMariaDb = (connection as unknown as { _isMariaDB?: boolean })._isMariaDB === true;
  return {
    async prepare(timeoutMs) {
      const ms = Math.max(1, Math.trunc(timeoutMs));
      const limit = isMariaDb ? `max_statement_time = ${(ms / 1000).toFixed(3)}` : `max_execution_time = ${ms}`;
      await runStatement(connection, { text: `SET time_zone = '+00:00', ${limit}`, values: [] }, () => undefined);
    },
    run(statement, onRow) {
      return runStatement(connection, statement, onRow);
    },
    destroy() {
      connection.destroy();
    },
    release(broken) {
      if (released) return;
      released = true;
      connection.off('error', ignore);
      if (broken) connection.destroy();
      else connection.release();
    },
  };
}

interface ResultHeader {
  affectedRows?: number;
}

function runStatement(connection: mysql.PoolConnection, statement: Statement, onRow: (row: Row) => void): Promise<StatementOutcome> {
  return new Promise((resolve, reject) => {
    // Statements without values go as plain text: some cannot be prepared (LOCK TABLES, say).
    const command =
      statement.values.length > 0
        ? connection.execute(statement.text, [...statement.values] as mysql.ExecuteValues[])
        : connection.query({ sql: statement.text });
    let fields: Field[] = [];
    let converters: Array<[string, (value: unknown) => unknown]> = [];
    let rows = 0;
    let affected: number | undefined;
    let failure: unknown;
    let settled = false;
    // mysql2 tells a lost connection to the connection, not to a command without a callback.
    const lost = (error: Error) => settle(() => reject(error));
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      connection.off('error', lost);
      fn();
    };
    connection.on('error', lost);
    command.on('fields', (packets?: mysql.FieldPacket[]) => {
      fields = (packets ?? []).map((f) => ({ name: f.name, type: mysqlTypeName(f.columnType ?? -1, f.characterSet ?? 0, f.extendedTypeName ?? f.extendedFormat) }));
      converters = (packets ?? []).flatMap((f) => {
        const convert = mysqlConverter(f.columnType ?? -1);
        return convert ? [[f.name, convert] as [string, (value: unknown) => unknown]] : [];
      });
    });
    command.on('result', (row: Row | ResultHeader) => {
      if (failure !== undefined) return;
      if (fields.length === 0) {
        // INSERT / UPDATE / DELETE: a header, not a row.
        affected = (row as ResultHeader).affectedRows ?? 0;
        return;
      }
      rows += 1;
      try {
        const converted: Row = {};
        for (const [name, value] of Object.entries(row)) converted[name] = jsonValue(value);
        for (const [name, convert] of converters) converted[name] = convert(converted[name]);
        onRow(converted);
      } catch (error) {
        failure = error;
        connection.destroy();
        settle(() => reject(error));
      }
    });
    command.on('error', (error: Error) => settle(() => reject(failure ?? error)));
    command.on('end', () => settle(() => (failure !== undefined ? reject(failure) : resolve({ rowCount: fields.length > 0 ? rows : (affected ?? 0), fields }))));
  });
}
