/**
 * Idempotency-Key on sync starts, on the real stack (issue 15 #2 and #3):
 * concurrent requests under one key make one run whose side effect happens
 * once, and a replay answers what the first call answered (status, headers
 * and body), also after a later block failed the run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import type { LocalServer } from '../../local/serve-app.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const API_KEY = 'idem-key-0123456789abcdef';
let stack: TestStack;
let api: LocalServer;
let hooks: Server;
let dir: string;
/** Side effects the http block caused, by the key the trigger carried. */
const sideEffects = new Map<string, number>();

const workflows = {
  // code → branch → http (the side effect) → response, as in the report.
  'charge.yaml': `
name: charge
triggers:
  http: { mode: sync, timeoutMs: 20000 }
blocks:
  - { id: amount, type: code, code: "return trigger.data.cents * 2" }
  - id: big
    type: branch
    after: [amount]
    cases: [{ when: "amount.data > 0", then: [charge] }]
  - id: charge
    type: http
    resource: hooks
    method: POST
    path: /charge
    body: { order: "{{ trigger.data.order }}", cents: "{{ amount.data }}" }
  - id: reply
    type: response
    after: [charge]
    status: 201
    headers: { x-charged: "{{ amount.data }}" }
    body: { charged: "{{ amount.data }}", seen: "{{ charge.data.body.count }}" }
`,
  'reply-then-fail.yaml': `
name: reply-then-fail
triggers:
  http: { mode: sync, timeoutMs: 20000 }
blocks:
  - { id: reply, type: response, status: 207, headers: { x-first: "yes" }, body: { first: "{{ trigger.data.n }}" } }
  - { id: boom, type: code, after: [reply], code: "throw new Error('after the reply')" }
`,
};

async function post(workflow: string, body: unknown, key: string) {
  const response = await fetch(`${api.url}/v1/workflows/${workflow}/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function executionsOf(workflowId: string): Promise<number> {
  let count = 0;
  for await (const _ of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) count++;
  return count;
}

async function waitClosed(runId: string): Promise<string> {
  for (;;) {
    const { status } = await stack.client.workflow.getHandle(runId).describe();
    if (status.name !== 'RUNNING') return status.name;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const order = (JSON.parse(text || '{}') as { order?: string }).order ?? '';
      sideEffects.set(order, (sideEffects.get(order) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: sideEffects.get(order) }));
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'baton-idem-workflows-'));
  for (const [file, text] of Object.entries(workflows)) writeFileSync(join(dir, file), text);
  stack = await startTestStack({
    BATON_RESOURCES: JSON.stringify({ hooks: { type: 'http', baseUrl: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks` } }),
  });
  api = await startApiServer(
    { client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry: directoryRegistry(dir), checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }) },
    { port: 0 },
  );
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
  hooks?.closeAllConnections();
  await new Promise((resolve) => hooks?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('Idempotency-Key on a sync workflow', () => {
  it('makes one run of 20 concurrent requests, with the side effect once, and every answer the same', async () => {
    const order = `order-${Math.random().toString(36).slice(2)}`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => post('charge', { cents: 50, order }, order)));
    const runIds = new Set(responses.map((r) => r.headers.get('baton-run-id')));
    expect(runIds.size).toBe(1);
    const runId = [...runIds][0]!;
    for (const response of responses) {
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ charged: 100, seen: 1 });
      expect(response.headers.get('x-charged')).toBe('100');
    }
    expect(await waitClosed(runId)).toBe('COMPLETED');
    expect(sideEffects.get(order)).toBe(1);
    expect(await executionsOf(runId)).toBe(1);

    // After the run closed: still the same run, the same answer, no second side effect.
    const replay = await post('charge', { cents: 50, order }, order);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual({ charged: 100, seen: 1 });
    expect(replay.headers.get('x-charged')).toBe('100');
    expect(replay.headers.get('baton-run-id')).toBe(runId);
    expect(sideEffects.get(order)).toBe(1);
    expect(await executionsOf(runId)).toBe(1);
  }, 60_000);

  it('replays the first answer, not the run output and not a 502, when a block after the response failed', async () => {
    const key = `k-${Math.random().toString(36).slice(2)}`;
    const first = await post('reply-then-fail', { n: 7 }, key);
    expect(first.status).toBe(207);
    expect(first.body).toEqual({ first: 7 });
    const runId = first.headers.get('baton-run-id')!;
    expect(await waitClosed(runId)).toBe('FAILED');
    const replay = await post('reply-then-fail', { n: 7 }, key);
    expect(replay.status).toBe(207);
    expect(replay.body).toEqual({ first: 7 });
    expect(replay.headers.get('x-first')).toBe('yes');
    expect(replay.headers.get('baton-run-id')).toBe(runId);
    expect(await executionsOf(runId)).toBe(1);
  }, 60_000);
});
