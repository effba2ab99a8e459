/** What query.ts needs of a database driver: a bounded pool of sessions that run one statement at a time. */
import type { Dialect, Statement } from './sql-statements.ts';
import type { Field } from './sql-values.ts';

export type Row = Record<string, unknown>;

export interface StatementOutcome {
  /** Rows returned, or rows changed by INSERT / UPDATE / DELETE. */
  readonly rowCount: number;
  readonly fields: Field[];
}

export interface SqlSession {
  /** Session settings every block starts from: UTC, and the server-side statement timeout. */
  prepare(timeoutMs: number): Promise<void>;
  /**
   * Runs one statement, handing each row (already in Baton's JSON types) to
   * `onRow`; if `onRow` throws, the connection is closed at once (the rest of
   * a huge result is not read) and the run fails with that error.
   */
  run(statement: Statement, onRow: (row: Row) => void): Promise<StatementOutcome>;
  /** Closes the connection at once; whatever runs on it fails. For a missed deadline. */
  destroy(): void;
  /** Back to the pool, or closed when it cannot be trusted any more. */
  release(broken: boolean): void;
}

export interface SqlPool {
  readonly dialect: Dialect;
  readonly beginSql: string;
  session(): Promise<SqlSession>;
  end(): Promise<void>;
}

/** Connections show up under this name on the server (pg_stat_activity's application_name, say). */
export const APPLICATION_NAME = 'baton-db-connector';
