/**
 * A driver's error as a block failure: what kind it is and whether another
 * attempt can help. Another attempt can help when the connection was refused
 * or lost, the statement timed out, or the database chose this transaction
 * as a deadlock or serialization victim; it cannot when the SQL is wrong or
 * a constraint refused the data, so those fail at once with the database's
 * own message.
 */

export type SqlFailureType =
  | 'ConnectionError'
  | 'AuthenticationError'
  | 'QueryTimeout'
  | 'Deadlock'
  | 'SerializationFailure'
  | 'SqlSyntaxError'
  | 'ConstraintViolation'
  | 'QueryError';

export interface SqlFailure {
  readonly type: SqlFailureType;
  readonly retryable: boolean;
  /** The database's code (SQLSTATE, or MySQL's error name), for the message. */
  readonly code: string | undefined;
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  message?: unknown;
  fatal?: unknown;
}

/** Socket-level codes: the server could not be reached or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND',
  'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED', 'ER_NET_READ_ERROR', 'ER_NET_READ_INTERRUPTED', 'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED', 'ER_TOO_MANY_USER_CONNECTIONS', 'ETIMEDOUT_CONNECT',
]);
/** node-postgres reports a lost connection in words only. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection closed',
  'The server does not support SSL connections',
];

/** Certificate problems are configuration: another attempt meets the same certificate. */
export const TLS_ERROR_CODE = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT|HOSTNAME_MISMATCH|ERR_SSL_)/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

export function classifyPostgres(error: unknown): SqlFailure {
  const e = (error ?? {}) as DriverError;
  const code = text(e.code);
  const fail = (type: SqlFailureType, retryable: boolean): SqlFailure => ({ type, retryable, code });
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '40001') return fail('SerializationFailure', true);
    if (code === '40P01') return fail('Deadlock', true);
    if (code === '57014' || code === '55P03' || code === '25P03') return fail('QueryTimeout', true);
    // A rotated password: the next attempt reads the secret afresh.
    if (code.startsWith('28')) return fail('AuthenticationError', true);
    if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53')) return fail('ConnectionError', true);
    if (code.startsWith('23')) return fail('ConstraintViolation', false);
    if (code === '42601' || code === '42000') return fail('SqlSyntaxError', false);
    return fail('QueryError', false);
  }
  if (code && NETWORK_CODES.has(code)) return fail('ConnectionError', true);
  if (code && TLS_ERROR_CODE.test(code)) return fail('ConnectionError', false);
  const message = text(e.message) ?? '';
  if (PG_CONNECTION_MESSAGES.some((words) => message.includes(words))) return fail('ConnectionError', true);
  return fail('QueryError', false);
}

/** MySQL / MariaDB error numbers that another attempt may get past. */
const MYSQL_RETRYABLE: Record<number, SqlFailureType> = {
  1213: 'Deadlock', // ER_LOCK_DEADLOCK
  1205: 'QueryTimeout', // ER_LOCK_WAIT_TIMEOUT
  1317: 'QueryTimeout', // ER_QUERY_INTERRUPTED
  1969: 'QueryTimeout', // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
  3024: 'QueryTimeout', // MySQL ER_QUERY_TIMEOUT (max_execution_time)
  1040: 'ConnectionError', // ER_CON_COUNT_ERROR
  1053: 'ConnectionError', // ER_SERVER_SHUTDOWN
  1927: 'ConnectionError', // MariaDB ER_CONNECTION_KILLED
  4031: 'ConnectionError', // MySQL ER_CLIENT_INTERACTION_TIMEOUT
  1045: 'AuthenticationError', // ER_ACCESS_DENIED_ERROR
};
const MYSQL_CONSTRAINTS = new Set([1022, 1048, 1062, 1169, 1216, 1217, 1451, 1452, 1557, 1586, 3819, 4025]);
const MYSQL_SYNTAX = new Set([1064, 1149]);

export function classifyMysql(error: unknown): SqlFailure {
  const e = (error ?? {}) as DriverError;
  const name = text(e.code);
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const sqlState = text(e.sqlState);
  const fail = (type: SqlFailureType, retryable: boolean): SqlFailure => ({ type, retryable, code: name ?? sqlState });
  if (errno !== undefined && MYSQL_RETRYABLE[errno]) return fail(MYSQL_RETRYABLE[errno], true);
  if (sqlState === '40001') return fail('SerializationFailure', true);
  if (name && NETWORK_CODES.has(name)) return fail('ConnectionError', true);
  if (name && TLS_ERROR_CODE.test(name)) return fail('ConnectionError', false);
  if (errno !== undefined && MYSQL_CONSTRAINTS.has(errno)) return fail('ConstraintViolation', false);
  if (sqlState?.startsWith('23')) return fail('ConstraintViolation', false);
  if (errno !== undefined && MYSQL_SYNTAX.has(errno)) return fail('SqlSyntaxError', false);
  if (sqlState?.startsWith('08')) return fail('ConnectionError', true);
  // mysql2 marks errors after which the connection is unusable.
  if (e.fatal === true) return fail('ConnectionError', true);
  return fail('QueryError', false);
}

/** True when the connection that raised this error cannot be used again. */
export function breaksConnection(failure: SqlFailure): boolean {
  return failure.type === 'ConnectionError' || failure.type === 'AuthenticationError';
}
