/**
 * Query blocks against PostgreSQL and MySQL / MariaDB: the statements of the
 * block's `sql` run on one pooled connection (in one transaction when the
 * block asks), with bound values, a server-side statement timeout, a
 * deadline of our own behind it, and caps on the rows and bytes kept. The
 * block's data is the last statement's `{ rows, rowCount, fields }`.
 */
import type { Resource, SqlResource } from '../../shared/config/resources.ts';
import { connectionSettings } from './connection-settings.ts';
import { createMysqlPool } from './mysql.ts';
import { createPostgresPool } from './postgres.ts';
import type { Secrets } from './secrets.ts';
import { breaksConnection, classifyMysql, classifyPostgres } from './sql-errors.ts';
import type { Row, SqlPool, SqlSession } from './sql-session.ts';
import { splitStatements, type Dialect, type Statement } from './sql-statements.ts';
import { bindValue, type Field } from './sql-values.ts';
import { BlockFailure } from '../../shared/errors/index.ts';
import { DEFAULT_MAX_RESULT_BYTES } from '../../shared/contract/index.ts';

export interface QueryRequest {
  readonly resourceName: string;
  /** Named in error messages. */
  readonly blockId: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly transaction: boolean;
  readonly timeoutMs: number;
  /** Where `{{ secret:NAME }}` comes from; every value it resolves is masked in what the block returns. */
  readonly secrets: Secrets;
  /** Bytes of rows kept, unless the resource sets its own maxBytes. */
  readonly maxBytes?: number;
}

export interface QueryResult {
  readonly rows: Row[];
  readonly rowCount: number;
  readonly fields: Field[];
}

/**
 * Past the block's deadline the server-side timeout should have answered;
 * this much later the connection is closed from our side (a network that
 * went silent).
 */
const DEADLINE_GRACE_MS = 1000;
/** A ROLLBACK after a failure gets this long of its own, deadline or not. */
const ROLLBACK_MS = 5000;

/** One pool per resource at module scope, reused while the container is warm. */
const pools = new Map<string, { fingerprint: string; pool: SqlPool }>();

async function poolFor(name: string, resource: SqlResource, secrets: Secrets): Promise<SqlPool> {
  const { settings, fingerprint } = await connectionSettings(name, resource, secrets);
  const current = pools.get(name);
  if (current?.fingerprint === fingerprint) return current.pool;
  // New settings (a rotated secret): the old pool closes once its sessions come back.
  if (current) current.pool.end().catch(() => undefined);
  const pool = resource.type === 'postgres' ? createPostgresPool(settings, resource) : createMysqlPool(settings, resource);
  pools.set(name, { fingerprint, pool });
  return pool;
}

/** Closes every pool (tests, benchmarks, a clean shutdown). */
export async function closePools(): Promise<void> {
  const closing = [...pools.values()].map(({ pool }) => pool.end().catch(() => undefined));
  pools.clear();
  await Promise.all(closing);
}

class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/** `work`, or DeadlineExceeded once `at` has passed (then `onLate` runs). */
function before<T>(at: number, work: Promise<T>, onLate: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onLate();
      reject(new DeadlineExceeded());
    }, Math.max(0, at - Date.now()));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

class RowCollector {
  readonly rows: Row[] = [];
  private bytes = 2;

  constructor(
    private readonly maxRows: number,
    private readonly maxBytes: number,
    private readonly where: string,
  ) {}

  add(row: Row): void {
    if (this.rows.length >= this.maxRows) {
      throw new BlockFailure('ResultTooLarge', `${this.where}: the query returned more than ${this.maxRows} rows (maxRows); add a LIMIT or raise the resource's maxRows`, false);
    }
    this.bytes += Buffer.byteLength(JSON.stringify(row)) + 1;
    if (this.bytes > this.maxBytes) {
      throw new BlockFailure('ResultTooLarge', `${this.where}: the rows come to more than ${this.maxBytes} bytes (maxBytes); select fewer rows or columns`, false);
    }
    this.rows.push(row);
  }
}

export async function runQuery(resource: Resource, request: QueryRequest): Promise<QueryResult> {
  const where = `block "${request.blockId}" (resource ${request.resourceName})`;
  if (resource.type === 'http') {
    throw new BlockFailure('ResourceError', `${where}: the resource is http; a query block needs postgres or mysql`, false);
  }
  const { secrets } = request;
  const dialect: Dialect = resource.type;
  try {
    const values = request.params.map((value) => bindValue(value, dialect));
    const statements = splitStatements(request.sql, values, dialect, request.blockId);
    const pool = await poolFor(request.resourceName, resource, secrets);
    const collect = () => new RowCollector(resource.maxRows, resource.maxBytes ?? request.maxBytes ?? DEFAULT_MAX_RESULT_BYTES, where);
    // A row may hold a secret (a setting read back, say): block data never carries one.
    return secrets.maskValue(await execute(pool, statements, request, collect));
  } catch (error) {
    throw blockFailure(error, dialect, where, request, secrets);
  }
}

async function execute(pool: SqlPool, statements: Statement[], request: QueryRequest, collect: () => RowCollector): Promise<QueryResult> {
  const deadline = Date.now() + request.timeoutMs;
  const backstop = deadline + DEADLINE_GRACE_MS;
  const session = await preparedSession(pool, deadline, backstop);
  let inTransaction = false;
  try {
    const run = async (statement: Statement): Promise<QueryResult> => {
      const collector = collect();
      const outcome = await before(backstop, session.run(statement, (row) => collector.add(row)), () => session.destroy());
      return { rows: collector.rows, rowCount: outcome.rowCount, fields: outcome.fields };
    };
    if (request.transaction) {
      await run({ text: pool.beginSql, values: [] });
      inTransaction = true;
    }
    let last: QueryResult | undefined;
    for (const statement of statements) last = await run(statement);
    if (inTransaction) {
      await run({ text: 'COMMIT', values: [] });
      inTransaction = false;
    }
    session.release(false);
    return last!;
  } catch (error) {
    await settleAfterFailure(pool.dialect, session, error, inTransaction);
    throw error;
  }
}

/**
 * A session with the block's settings in force. A pooled connection can have
 * died while idle (killed on the server, or the container was frozen); its
 * first command then fails, and since nothing of the block has run yet, a
 * fresh connection is safe to try once.
 */
async function preparedSession(pool: SqlPool, deadline: number, backstop: number): Promise<SqlSession> {
  for (let attempt = 1; ; attempt += 1) {
    const session = await checkout(pool, backstop);
    try {
      await before(backstop, session.prepare(deadline - Date.now()), () => session.destroy());
      return session;
    } catch (error) {
      session.release(true);
      if (attempt > 1 || error instanceof DeadlineExceeded || !breaksConnection(classify(pool.dialect, error))) throw error;
    }
  }
}

function checkout(pool: SqlPool, backstop: number): Promise<SqlSession> {
  const pending = pool.session();
  // A session that arrives after we gave up on it goes back to the pool.
  return before(backstop, pending, () => void pending.then((late) => late.release(false), () => undefined));
}

async function settleAfterFailure(dialect: Dialect, session: SqlSession, error: unknown, inTransaction: boolean): Promise<void> {
  const broken =
    error instanceof DeadlineExceeded ||
    (error instanceof BlockFailure && error.type === 'ResultTooLarge') ||
    (!(error instanceof BlockFailure) && breaksConnection(classify(dialect, error)));
  if (broken || !inTransaction) return session.release(broken);
  try {
    await before(Date.now() + ROLLBACK_MS, session.run({ text: 'ROLLBACK', values: [] }, () => undefined), () => session.destroy());
    session.release(false);
  } catch {
    session.release(true);
  }
}

function classify(dialect: Dialect, error: unknown) {
  return dialect === 'postgres' ? classifyPostgres(error) : classifyMysql(error);
}

/** The driver's words, with what PostgreSQL adds (`Key (id)=(1) already exists.`); never empty. */
function driverMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { detail?: unknown; code?: unknown; errors?: unknown };
  let message = e.message;
  // Connecting to every address of a host fails as an AggregateError with no message of its own.
  if (!message && Array.isArray(e.errors)) message = e.errors.map((inner) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  if (!message) message = typeof e.code === 'string' ? e.code : e.name;
  return typeof e.detail === 'string' && e.detail ? `${message} (${e.detail})` : message;
}

function blockFailure(error: unknown, dialect: Dialect, where: string, request: QueryRequest, secrets: Secrets): BlockFailure {
  if (error instanceof BlockFailure) return new BlockFailure(error.type, secrets.mask(error.message), error.retryable);
  if (error instanceof DeadlineExceeded) {
    return new BlockFailure('QueryTimeout', `${where}: no answer within ${request.timeoutMs} ms (timeoutMs)`, true);
  }
  const kind = classify(dialect, error);
  if (kind.type === 'AuthenticationError') secrets.forget();
  const code = kind.code ? ` [${kind.code}]` : '';
  return new BlockFailure(kind.type, secrets.mask(`${where}: ${driverMessage(error)}${code}`), kind.retryable);
}
