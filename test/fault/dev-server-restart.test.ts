/**
 * The Temporal dev server is SIGKILLed in the middle of runs and started
 * again on the same SQLite file and port: the worker rides through the
 * outage, every run completes, timers included, and no charge is applied twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../local/dev-server.ts';
import { freePort } from '../../local/free-port.ts';
import { chargedOtherThanOnce, FAULT_NAMESPACE, notCompleted, startFaultStack, type FaultStack } from './support/fault-stack.ts';

const RUNS = 40;
const dbFile = join(mkdtempSync(join(tmpdir(), 'baton-fault-db-')), 'temporal.db');
let port: number;
let server: DevServer;
let stack: FaultStack;

const startServer = () => startDevServer({ port, dbFile, namespaces: [FAULT_NAMESPACE] });

beforeAll(async () => {
  port = await freePort();
  server = await startServer();
  stack = await startFaultStack({ temporalAddress: server.address });
});

afterAll(async () => {
  await stack?.stop();
  await server?.stop();
});

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
};

it('completes every run after the server is killed and restarted on its SQLite file', async () => {
  const runIds = await stack.startRuns(RUNS);
  await until(() => stack.ledger.applied.size >= RUNS);

  const killed = server.process;
  const exited = new Promise((resolve) => killed.once('exit', resolve));
  killed.kill('SIGKILL');
  await exited;
  server = await startServer();

  const settled = await stack.settle(runIds, 180_000);
  expect(notCompleted(settled)).toEqual([]);
  for (const run of settled) expect(run.output).toEqual({ receipt: { charged: 200, refunds: 2 } });
  expect(chargedOtherThanOnce(stack.ledger, runIds)).toEqual([]);
  expect(stack.ledger.applied.size).toBe(RUNS * 3);
  expect(stack.ledger.keylessRequests).toBe(0);
  // The same worker process carried on: it reconnected by itself.
  expect(stack.worker.alive).toBe(true);
}, 240_000);
