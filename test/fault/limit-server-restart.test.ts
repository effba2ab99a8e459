/**
 * Queued runs are Temporal's to keep: the dev server is SIGKILLed while runs
 * of a limited workflow wait in its gate's queue, and started again on the
 * same SQLite file and port. The worker rides through the outage, and every
 * run completes, never more than the limit at once, in the order started.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startDevServer, type DevServer } from '../../local/dev-server.ts';
import { freePort } from '../../local/free-port.ts';
import { startEmbeddedStack, type EmbeddedStack } from '../../local/stack.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { runStatus, startRun, type StartedRun } from '../../shared/runs/index.ts';
import { testEnv } from '../support/test-stack.ts';
import { FAULT_NAMESPACE, until } from './support/fault-stack.ts';
import { heldInterval, mostAtOnce } from '../support/run-overlap.ts';

const dbFile = join(mkdtempSync(join(tmpdir(), 'baton-fault-db-')), 'temporal.db');
let port: number;
let server: DevServer;
let stack: EmbeddedStack;

const startServer = () => startDevServer({ port, dbFile, namespaces: [FAULT_NAMESPACE] });

beforeAll(async () => {
  port = await freePort();
  server = await startServer();
  stack = await startEmbeddedStack({
    env: testEnv({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: FAULT_NAMESPACE }).env,
    worker: true,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
});

afterAll(async () => {
  await stack?.stop();
  await server?.stop();
});

it('keeps the queue of a limited workflow through a server restart', async () => {
  const compiled = compileDefinition(
    parseDefinition(
      `
name: limited-through-restart
concurrency: { limit: 2, key: "{{ trigger.data.customer }}" }
blocks:
  - { id: hold, type: wait, duration: 1s }
  - { id: echo, type: code, after: [hold], code: "return trigger.data.i" }
`,
      'limited.yaml',
    ),
  );
  const runs: StartedRun[] = [];
  for (let i = 0; i < 10; i += 1) {
    runs.push(await startRun({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, compiled, trigger: { type: 'manual', data: { customer: 'k', i } } }));
  }
  // Ten runs of at least a second each, two at a time: the last one waits for a slot (asked at once, as a
  // loaded machine may take seconds to see the first complete, by which time the last may have its turn).
  expect((await runStatus(stack.client, runs.at(-1)!.runId)).status).toBe('queued');
  await until(async () => (await runStatus(stack.client, runs[0]!.runId)).status === 'completed');

  const killed = server.process;
  const exited = new Promise((resolve) => killed.once('exit', resolve));
  killed.kill('SIGKILL');
  await exited;
  server = await startServer();

  // Asked again while the server comes back: the client reconnects by itself.
  const settle = async (run: StartedRun) => {
    for (;;) {
      try {
        return await run.handle.result();
      } catch (error) {
        if (!/unavailable|connect|deadline/i.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  await Promise.all(runs.map(settle));
  const statuses = await Promise.all(runs.map((run) => runStatus(stack.client, run.runId)));
  expect(statuses.map((status) => status.status)).toEqual(runs.map(() => 'completed'));
  expect(statuses.map((status) => status.turn)).toEqual(runs.map((_, index) => index + 1));
  expect(mostAtOnce(statuses.map((status) => heldInterval(status)))).toBeLessThanOrEqual(2);
}, 240_000);
