/** Resources and requests for the db-connector's tests against the real databases. */
import pg from 'pg';
import { expect } from 'vitest';
import { resourceSchema, type Resource } from '../../../../shared/config/resources.ts';
import type { QueryRequest } from '../../../../functions/db-connector/query.ts';
import { Secrets } from '../../../../functions/db-connector/secrets.ts';
import { DATABASES, TEST_DB_PASSWORD } from '../../../support/databases.ts';
import { BlockFailure } from '../../../../shared/errors/index.ts';

// Resource URLs name the password as a secret, resolved from the env as locally.
process.env.BATON_SECRET_TEST_DB_PASSWORD = TEST_DB_PASSWORD;
/** The secrets the tests' blocks resolve: from this process's env, which each test file sets. */
export const testSecrets = new Secrets({ env: process.env });

export function sqlResource(type: 'postgres' | 'mysql', overrides: Record<string, unknown> = {}): Resource {
  return resourceSchema.parse({ type, url: DATABASES[type].url, ...overrides });
}

let counter = 0;
/** A resource name of its own, so each test gets a pool of its own. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}

export function request(sql: string, overrides: Partial<QueryRequest> = {}): QueryRequest {
  return { resourceName: 'db', blockId: 'orders', sql, params: [], transaction: false, timeoutMs: 10_000, secrets: testSecrets, ...overrides };
}

/** A plain node-postgres client for checks and for terminating backends from outside the pool. */
export async function postgresAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'baton', password: TEST_DB_PASSWORD, database: 'baton' });
  await client.connect();
  return client;
}

/** A plain mysql2 connection for checks and for KILL from outside the pool. */
export async function mysqlAdmin() {
  const { createConnection } = await import('mysql2/promise');
  return createConnection({ host: '127.0.0.1', port: 3306, user: 'baton', password: TEST_DB_PASSWORD, database: 'baton', multipleStatements: true });
}

/** The BlockFailure a promise rejects with (and an assertion that it is one). */
export async function stepFailure(promise: Promise<unknown>): Promise<BlockFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BlockFailure);
  return error as BlockFailure;
}
