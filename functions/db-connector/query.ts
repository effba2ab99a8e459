/** Query blocks against PostgreSQL: one bounded pool per resource at module scope, reused while warm. */
import pg from 'pg';
import { StepFailure } from '../../shared/executor/index.ts';
import type { Resource } from '../../shared/config/resources.ts';
import { resolveSecrets } from './secrets.ts';

export interface QueryRequest {
  readonly resourceName: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly transaction: boolean;
  readonly timeoutMs: number;
}

export interface QueryResult {
  readonly rows: unknown[];
  readonly rowCount: number;
  readonly fields: Array<{ name: string }>;
}

const pools = new Map<string, pg.Pool>();

function poolFor(name: string, resource: Extract<Resource, { type: 'postgres' }>): pg.Pool {
  let pool = pools.get(name);
  if (!pool) {
    pool = new pg.Pool({ connectionString: resolveSecrets(resource.url), max: resource.poolSize });
    // An idle client that dies (server restart) must not crash the container.
    pool.on('error', () => undefined);
    pools.set(name, pool);
  }
  return pool;
}

export async function runQuery(resource: Resource, request: QueryRequest): Promise<QueryResult> {
  if (resource.type !== 'postgres') {
    throw new StepFailure('ResourceError', `resource "${request.resourceName}" is ${resource.type}; this build queries postgres`, false);
  }
  const client = await poolFor(request.resourceName, resource).connect();
  try {
    await client.query(`set statement_timeout = ${Math.trunc(request.timeoutMs)}`);
    const result = await client.query({ text: request.sql, values: [...request.params] });
    return { rows: result.rows as unknown[], rowCount: result.rowCount ?? result.rows.length, fields: result.fields.map((f) => ({ name: f.name })) };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    throw new StepFailure('QueryError', `${e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`, false);
  } finally {
    client.release();
  }
}
