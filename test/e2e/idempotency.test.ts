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
  'slow.yaml': `
name: slow
blocks:
  - { id: pause, type: wait, duration: 1s }
  - { id: done, type: code, after: [pause], code: "return trigger.data" }
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

async function request(method: string, path: string, body?: unknown, key?: string) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

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
    expect(responses.map((r) => r.status).filter((status) => status >= 400), 'no request may fail').toEqual([]);
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

/** A small seeded generator, so a failing sequence can be run again. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

describe('random sequences of start, replay, cancel and rerun', () => {
  it('never answer 5xx, and never make a second run for a key', async () => {
    const seed = 20261202;
    const random = seeded(seed);
    const prefix = `seq-${Math.random().toString(36).slice(2)}`;
    const keys = Array.from({ length: 4 }, (_, i) => `${prefix}-${i}`);
    const runIds = new Set<string>();
    const runOfKey = new Map<string, string>();
    const trace: string[] = [];
    /** Reruns per run: each is a new run on purpose, and may repeat the side effect once. */
    const reruns = new Map<string, number>();
    for (let step = 0; step < 30; step++) {
      const key = keys[random(keys.length)]!;
      const known = [...runIds];
      const target = known[random(Math.max(known.length, 1))];
      const operation = random(5);
      // Every other step goes out without waiting, so operations overlap as real clients do.
      const send = async () => {
        switch (operation) {
          case 0: {
            const response = await request('POST', '/v1/workflows/slow/runs', { step }, `${key}-slow`);
            trace.push(`${step} start slow ${key} -> ${response.status}`);
            expect([200, 202], trace.join('\n')).toContain(response.status);
            const runId = response.body!.runId as string;
            expect(runOfKey.get(`${key}-slow`) ?? runId, trace.join('\n')).toBe(runId);
            runOfKey.set(`${key}-slow`, runId);
            runIds.add(runId);
            return;
          }
          case 1: {
            const response = await request('POST', '/v1/workflows/charge/runs', { cents: 5, order: key }, key);
            trace.push(`${step} start charge ${key} -> ${response.status}`);
            expect(response.status, trace.join('\n')).toBe(201);
            const runId = response.headers.get('baton-run-id')!;
            expect(runOfKey.get(key) ?? runId, trace.join('\n')).toBe(runId);
            runOfKey.set(key, runId);
            runIds.add(runId);
            return;
          }
          case 2: {
            if (!target) return;
            const response = await request('POST', `/v1/runs/${target}/cancel`);
            trace.push(`${step} cancel ${target} -> ${response.status}`);
            expect([202, 409], trace.join('\n')).toContain(response.status);
            return;
          }
          case 3: {
            if (!target) return;
            const response = await request('POST', `/v1/runs/${target}/rerun`);
            trace.push(`${step} rerun ${target} -> ${response.status}`);
            expect([202], trace.join('\n')).toContain(response.status);
            reruns.set(target, (reruns.get(target) ?? 0) + 1);
            return;
          }
          default: {
            if (!target) return;
            const response = await request('GET', `/v1/runs/${target}`);
            trace.push(`${step} status ${target} -> ${response.status}`);
            expect(response.status, trace.join('\n')).toBe(200);
          }
        }
      };
      if (step % 2 === 0) await send();
      else await Promise.all([send(), send()]);
    }
    // The seed's sequence does exercise every kind of operation.
    for (const kind of ['start slow', 'start charge', 'cancel', 'rerun', 'status']) expect(trace.some((line) => line.includes(` ${kind} `)), kind).toBe(true);
    for (const [key, runId] of runOfKey) {
      expect(await executionsOf(runId), `${key} (seed ${seed})\n${trace.join('\n')}`).toBe(1);
    }
    for (const key of keys) {
      const run = runOfKey.get(key);
      const allowed = run ? 1 + (reruns.get(run) ?? 0) : 0;
      expect(sideEffects.get(key) ?? 0, `${key} (seed ${seed})\n${trace.join('\n')}`).toBeLessThanOrEqual(allowed);
    }
  }, 120_000);
});
