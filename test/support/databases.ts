/**
 * PostgreSQL and MariaDB for the db-connector's tests (user, password and
 * database `baton`, default ports). When they are not up, the setup runs
 * scripts/start-databases.sh; if they are still not up, the run fails naming
 * that script. No test is skipped for a missing database.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isListening } from '../../local/free-port.ts';

export const DATABASES = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://baton:{{ secret:TEST_DB_PASSWORD }}@127.0.0.1:5432/baton' },
  mysql: { host: '127.0.0.1', port: 3306, url: 'mysql://baton:{{ secret:TEST_DB_PASSWORD }}@127.0.0.1:3306/baton' },
} as const;
export const TEST_DB_PASSWORD = 'baton';

async function allUp(): Promise<boolean> {
  const up = await Promise.all(Object.values(DATABASES).map((db) => isListening(db.host, db.port)));
  return up.every(Boolean);
}

export async function ensureDatabases(): Promise<void> {
  if (await allUp()) return;
  const script = join(import.meta.dirname, '..', '..', 'scripts', 'start-databases.sh');
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !(await allUp())) {
    throw new Error(`PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306) are needed: scripts/start-databases.sh failed to start them`);
  }
}
