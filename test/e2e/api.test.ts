/**
 * The HTTP API on the real stack (local server, Temporal dev server, worker,
 * executors): auth, validation, sync replies, idempotency, runs, rerun,
 * schedules, and the OpenAPI document kept true.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { syncSchedules, listSchedules } from '../../shared/schedules/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { loadUiAssets, UI_CSP } from '../../functions/api/ui-assets.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { storeKeys } from '../../shared/contract/index.ts';

const API_KEY = 'test-key-0123456789abcdef';
let stack: TestStack;
let api: Awaited<ReturnType<typeof startApiServer>>;
let dir: string;

const workflows: Record<string, string> = {
  'greet.yaml': `
name: greet
input:
  type: object
  required: [name]
  properties: { name: { type: string } }
blocks:
  - { id: hello, type: code, code: "console.log('greeting'); return 'hi ' + trigger.data.name" }
`,
  'quick-reply.yaml': `
name: quick-reply
triggers:
  http: { mode: sync, timeoutMs: 20000 }
blocks:
  - id: reply
    type: response
    status: 201
    headers: { x-answer: "{{ trigger.data.n * 2 }}" }
    body: { doubled: "{{ trigger.data.n * 2 }}" }
  - { id: later, type: wait, duration: 3s, after: [reply] }
`,
  'echo-header.yaml': `
name: echo-header
triggers:
  http: { mode: sync, timeoutMs: 20000 }
blocks:
  - id: reply
    type: response
    headers: { x-from-trigger: "{{ trigger.data.h }}" }
    body: { echoed: true }
`,
  'slow-sync.yaml': `
name: slow-sync
triggers:
  http: { mode: sync, timeoutMs: 300 }
blocks:
  - { id: pause, type: wait, duration: 5s }
`,
  'chain.yaml': `
name: chain
blocks:
  - { id: first, type: code, code: "return Math.random()" }
  - { id: second, type: code, after: [first], code: "return { first: first.data, r: Math.random() }" }
  - { id: third, type: code, after: [second], code: "return { second: second.data, r: Math.random(), input: trigger.data }" }
`,
  'flaky.yaml': `
name: flaky
description: passes or fails on demand
blocks:
  - { id: work, type: code, code: "if (trigger.data && trigger.data.fail) throw new Error('asked to fail'); return { ok: true, n: trigger.data && trigger.data.n }" }
`,
  'shapes.yaml': `
name: shapes
blocks:
  - { id: start, type: code, code: "return [1, 2, 3]" }
  - id: pick
    type: branch
    after: [start]
    cases: [{ when: "start.data.length > 2", then: [many] }]
    else: [few]
  - { id: many, type: loop, over: "start.data", body: { type: code, code: "return item * 2" } }
  - { id: few, type: code, code: "return 'few'" }
  - { id: done, type: code, after: [many, few], code: "return 'done'" }
  - { id: alert, type: code, code: "return 'alerted'" }
onError: [alert]
`,
  'ticker.yaml': `
name: ticker
triggers:
  schedules:
    - { id: hourly, cron: "0 * * * *", input: { from: schedule }, overlap: skip }
blocks:
  - { id: tick, type: code, code: "return trigger.data" }
`,
};

async function call(method: string, path: string, options: { body?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? API_KEY}`;
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers,
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function waitForRun(runId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const { body } = await call('GET', `/v1/runs/${runId}`);
    if (body && body.status !== 'running') return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-api-workflows-'));
  for (const [file, text] of Object.entries(workflows)) writeFileSync(join(dir, file), text);
  stack = await startTestStack();
  api = await startApiServer(
    {
      client: stack.client,
      store: stack.store,
      taskQueue: stack.config.taskQueue,
      registry: directoryRegistry(dir),
      checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }),
      ui: loadUiAssets(inject('uiDir')),
    },
    { port: 0 },
  );
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('auth and validation', () => {
  it('refuses requests without a valid key, and serves health and the document without one', async () => {
    expect((await call('POST', '/v1/workflows/greet/runs', { body: { name: 'x' }, key: null })).status).toBe(401);
    const wrong = await call('GET', '/v1/runs/run-x', { key: 'not-the-key-at-all-0000' });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await call('GET', '/v1/health', { key: null })).status).toBe(200);
    expect((await call('GET', '/v1/openapi.json', { key: null })).body).toMatchObject({ openapi: '3.0.3' });
  });

  it('validates trigger data against the input schema, naming the field', async () => {
    const response = await call('POST', '/v1/workflows/greet/runs', { body: { nom: 'x' } });
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', message: 'trigger.data.name: required' } } });
    const wrongType = await call('POST', '/v1/workflows/greet/runs', { body: { name: 5 } });
    expect(wrongType.body).toMatchObject({ error: { message: 'trigger.data.name: must be string' } });
  });

  it('answers 400 for bad JSON, 413 for a body over 1 MB, 404 for an unknown workflow', async () => {
    expect((await call('POST', '/v1/workflows/greet/runs', { raw: '{"name":' })).body).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await call('POST', '/v1/workflows/greet/runs', { raw: JSON.stringify({ name: 'x'.repeat(1_100_000) }) })).status).toBe(413);
    expect((await call('POST', '/v1/workflows/nope/runs', { body: {} })).status).toBe(404);
    expect((await call('GET', '/v1/runs/%E0%A4%A')).status).toBe(404);
  });
});

describe('runs', () => {
  it('starts an async run, shows its blocks, a block with its logs, and lists it', async () => {
    const started = await call('POST', '/v1/workflows/greet/runs', { body: { name: 'Ada' } });
    expect(started.status).toBe(202);
    const runId = started.body!.runId as string;
    const final = await waitForRun(runId);
    expect(final).toMatchObject({ status: 'completed', workflow: 'greet', blocks: { hello: { status: 'completed', attempts: 1 } } });
    const block = await call('GET', `/v1/runs/${runId}/blocks/hello`);
    expect(block.body).toMatchObject({ status: 'completed', data: 'hi Ada', logs: [{ level: 'log', message: 'greeting' }] });
    expect((await call('GET', `/v1/runs/${runId}/blocks/ghost`)).status).toBe(404);
    await expect.poll(async () => ((await call('GET', '/v1/workflows/greet/runs')).body!.runs as Array<{ runId: string }>).map((r) => r.runId)).toContain(runId);
  });

  it('answers a sync trigger with the response block before the run ends', async () => {
    const response = await call('POST', '/v1/workflows/quick-reply/runs', { body: { n: 21 } });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ doubled: 42 });
    expect(response.headers.get('x-answer')).toBe('42');
    const runId = response.headers.get('baton-run-id')!;
    // The reply came while the run's three-second wait was still going.
    expect((await call('GET', `/v1/runs/${runId}`)).body).toMatchObject({ status: 'running', response: { blockId: 'reply' } });
    expect(await waitForRun(runId)).toMatchObject({ status: 'completed' });
  });

  it('answers 202 with the run link when a sync run passes its timeout', async () => {
    const response = await call('POST', '/v1/workflows/slow-sync/runs', { body: {} });
    expect(response).toMatchObject({ status: 202, body: { status: 'running', links: { self: expect.stringMatching(/^\/v1\/runs\//) } } });
    expect((await call('POST', `/v1/runs/${response.body!.runId as string}/cancel`)).status).toBe(202);
  });

  it('makes one run of 20 concurrent requests with one Idempotency-Key', async () => {
    const key = `order-${Math.random().toString(36).slice(2)}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/v1/workflows/greet/runs', { body: { name: 'Once' }, headers: { 'idempotency-key': key } })),
    );
    const runIds = new Set(responses.map((r) => r.body!.runId));
    expect(runIds.size).toBe(1);
    expect(responses.every((r) => r.status === 202 || r.status === 200)).toBe(true);
    const runId = [...runIds][0] as string;
    await waitForRun(runId);
    const again = await call('POST', '/v1/workflows/greet/runs', { body: { name: 'Once' }, headers: { 'idempotency-key': key } });
    expect(again).toMatchObject({ status: 200, body: { runId, status: 'existing' } });
    const executions = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(execution);
    expect(executions).toHaveLength(1);
  });

  it('cancels a running run, and refuses to cancel it twice', async () => {
    const started = await call('POST', '/v1/workflows/slow-sync/runs', { body: {} });
    const runId = started.body!.runId as string;
    expect((await call('POST', `/v1/runs/${runId}/cancel`)).status).toBe(202);
    expect(await waitForRun(runId)).toMatchObject({ status: 'cancelled' });
    expect((await call('POST', `/v1/runs/${runId}/cancel`)).status).toBe(409);
  });
});

describe('response headers from trigger data (issue 15 #1)', () => {
  it.each([
    ['non-ASCII text', 'Zoë → 東京'],
    ['a header injection', 'a\r\nX-Injected: 1'],
  ])('fail the run with a clear error for %s, and the API keeps serving', async (_what, h) => {
    const response = await call('POST', '/v1/workflows/echo-header/runs', { body: { h } });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-injected')).toBeNull();
    expect(response.body).toMatchObject({ error: { code: 'run_failed' } });
    const message = (response.body!.error as { message: string }).message;
    expect(message).toMatch(/failed at block "reply": headers: the value of x-from-trigger is not a legal header value/);
    expect(message).not.toContain('X-Injected');
    const runId = /^run (\S+) /.exec(message)![1]!;
    expect(await waitForRun(runId)).toMatchObject({ status: 'failed', blocks: { reply: { status: 'failed', error: { type: 'ResponseError' } } } });
    expect((await call('GET', '/v1/health', { key: null })).status).toBe(200);
    const fine = await call('POST', '/v1/workflows/echo-header/runs', { body: { h: 'plain ascii' } });
    expect(fine).toMatchObject({ status: 200, body: { echoed: true } });
    expect(fine.headers.get('x-from-trigger')).toBe('plain ascii');
  });
});

describe('hostile and odd input (issue 15 #7)', () => {
  it('lists no runs, without a 500, for a workflow name with a backslash or a quote', async () => {
    for (const name of ['back\\slash', "o'quote", 'tail\\', "x' OR WorkflowType = 'batonRun", 'nul\u0000']) {
      const response = await call('GET', `/v1/workflows/${encodeURIComponent(name)}/runs`);
      expect(response, name).toMatchObject({ status: 200, body: { runs: [] } });
    }
  });

  it('answers 400 for a 20,000-deep JSON body', async () => {
    const deep = await call('POST', '/v1/workflows/greet/runs', { raw: '['.repeat(20_000) + ']'.repeat(20_000) });
    expect(deep).toMatchObject({ status: 400, body: { error: { code: 'invalid_json', message: expect.stringMatching(/nests deeper than/) } } });
    const deepObject = await call('POST', '/v1/workflows/greet/runs', { raw: '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000) });
    expect(deepObject.status).toBe(400);
  });

  it("answers 404 for Object's own property names as block ids", async () => {
    const started = await call('POST', '/v1/workflows/greet/runs', { body: { name: 'Proto' } });
    const runId = started.body!.runId as string;
    await waitForRun(runId);
    for (const blockId of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await call('GET', `/v1/runs/${runId}/blocks/${blockId}`), blockId).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    }
  });

  it('gives every time in run status and the run list as ISO 8601', async () => {
    const started = await call('POST', '/v1/workflows/greet/runs', { body: { name: 'Clock' } });
    const runId = started.body!.runId as string;
    const final = (await waitForRun(runId)) as { blocks: Record<string, { startedAt?: unknown; endedAt?: unknown }> };
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    expect(final.blocks.hello!.startedAt).toMatch(ISO);
    expect(final.blocks.hello!.endedAt).toMatch(ISO);
    await expect.poll(async () => ((await call('GET', '/v1/workflows/greet/runs')).body!.runs as Array<{ runId: string }>).some((r) => r.runId === runId)).toBe(true);
    const listed = ((await call('GET', '/v1/workflows/greet/runs')).body!.runs as Array<{ runId: string; startedAt: string; closedAt?: string }>).find((r) => r.runId === runId)!;
    expect(listed.startedAt).toMatch(ISO);
    expect(Date.parse(listed.startedAt)).toBeLessThanOrEqual(Date.parse(final.blocks.hello!.startedAt as string));
  });

  it("serves an async run's output once it completed, and only its status before", async () => {
    const slow = await call('POST', '/v1/workflows/slow-sync/runs', { body: {} });
    const slowId = slow.body!.runId as string;
    expect(await call('GET', `/v1/runs/${slowId}/output`)).toEqual(expect.objectContaining({ status: 200, body: { runId: slowId, status: 'running' } }));
    await call('POST', `/v1/runs/${slowId}/cancel`);

    const started = await call('POST', '/v1/workflows/greet/runs', { body: { name: 'Out' } });
    const runId = started.body!.runId as string;
    expect(started.body).toMatchObject({ links: { output: `/v1/runs/${runId}/output` } });
    await waitForRun(runId);
    expect((await call('GET', `/v1/runs/${runId}/output`)).body).toEqual({ runId, status: 'completed', output: { hello: 'hi Out' } });
    expect((await call('GET', '/v1/runs/run-none/output')).status).toBe(404);
  });
});

describe('rerun', () => {
  it('reruns from a block: upstream blocks keep their results and do not run again', async () => {
    const first = await call('POST', '/v1/workflows/chain/runs', { body: { v: 1 } });
    const runId = first.body!.runId as string;
    await waitForRun(runId);
    const before = (id: string) => stack.store.getJson<{ data: unknown }>(storeKeys.block(runId, id));
    const rerun = await call('POST', `/v1/runs/${runId}/rerun`, { body: { fromBlock: 'third', data: { v: 2 } } });
    expect(rerun).toMatchObject({ status: 202, body: { rerunOf: runId, reused: ['first', 'second'] } });
    const newRunId = rerun.body!.runId as string;
    expect(newRunId).not.toBe(runId);
    const final = await waitForRun(newRunId);
    expect(final).toMatchObject({
      status: 'completed',
      blocks: { first: { status: 'completed', reused: true, attempts: 0 }, second: { reused: true, attempts: 0 }, third: { status: 'completed', attempts: 1 } },
    });
    // Random values prove it: reused blocks carry the earlier run's results; third ran anew with the new data.
    const after = (id: string) => stack.store.getJson<{ data: unknown }>(storeKeys.block(newRunId, id));
    expect((await after('first'))!.data).toEqual((await before('first'))!.data);
    expect((await after('second'))!.data).toEqual((await before('second'))!.data);
    const third = (await after('third'))!.data as { r: number; input: unknown; second: unknown };
    expect(third.input).toEqual({ v: 2 });
    expect(third.second).toEqual((await before('second'))!.data);
    expect(third.r).not.toEqual(((await before('third'))!.data as { r: number }).r);
  });

  it('reruns everything without fromBlock, and refuses an unknown block', async () => {
    const first = await call('POST', '/v1/workflows/chain/runs', { body: {} });
    const runId = first.body!.runId as string;
    await waitForRun(runId);
    expect((await call('POST', `/v1/runs/${runId}/rerun`, { body: { fromBlock: 'nope' } })).status).toBe(400);
    const rerun = await call('POST', `/v1/runs/${runId}/rerun`);
    expect(rerun.body).toMatchObject({ reused: [] });
    expect(await waitForRun(rerun.body!.runId as string)).toMatchObject({ status: 'completed', blocks: { first: { attempts: 1 } } });
  });
});

describe('schedules', () => {
  it('are created, updated and deleted by sync, fire, and pause through the API', async () => {
    const registry = directoryRegistry(dir);
    const sync = async () =>
      syncSchedules({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry, definitions: await registry.list() });
    expect(await sync()).toMatchObject({ created: ['baton-ticker-hourly'], updated: [], deleted: [] });
    expect(await sync()).toMatchObject({ created: [], updated: [], unchanged: ['baton-ticker-hourly'] });

    // Fire it now: the run's trigger is the schedule's input.
    expect((await call('POST', '/v1/schedules/baton-ticker-hourly/trigger')).status).toBe(202);
    let runId = '';
    await expect
      .poll(async () => {
        const runs = (await call('GET', '/v1/workflows/ticker/runs')).body!.runs as Array<{ runId: string; status: string }>;
        runId = runs[0]?.runId ?? '';
        return runs[0]?.status;
      }, { timeout: 20_000 })
      .toBe('completed');
    expect((await call('GET', `/v1/runs/${runId}/blocks/tick`)).body).toMatchObject({ data: { from: 'schedule' } });

    expect((await call('POST', '/v1/schedules/baton-ticker-hourly/pause')).status).toBe(202);
    expect((await call('GET', '/v1/schedules')).body!.schedules).toEqual([expect.objectContaining({ id: 'baton-ticker-hourly', paused: true })]);

    writeFileSync(join(dir, 'ticker.yaml'), workflows['ticker.yaml']!.replace('0 * * * *', '30 * * * *'));
    expect(await sync()).toMatchObject({ updated: ['baton-ticker-hourly'] });
    const [updated] = await listSchedules(stack.client, stack.config.taskQueue);
    expect(updated).toMatchObject({ paused: true }); // an operator's pause survives a definition change
    expect(new Date(updated!.nextRuns[0]!).getUTCMinutes()).toBe(30);

    rmSync(join(dir, 'ticker.yaml'));
    expect(await sync()).toMatchObject({ deleted: ['baton-ticker-hourly'] });
    expect(await listSchedules(stack.client, stack.config.taskQueue)).toEqual([]);
    expect((await call('POST', '/v1/schedules/baton-ticker-hourly/resume')).status).toBe(404);
  }, 60_000);
});

describe('what the run viewer reads', () => {
  type Entry = { runId: string; status: string; trigger?: string; startedAt: string; closedAt?: string; durationMs?: number };
  const pageOf = async (query: string) => (await call('GET', `/v1/workflows/flaky/runs?${query}`)).body as { runs: Entry[]; nextCursor?: string };

  it('pages through runs with a cursor and filters them by status', async () => {
    const started = await Promise.all(
      [{ n: 1 }, { n: 2 }, { fail: true }, { n: 3 }, { fail: true }].map(async (data) => (await call('POST', '/v1/workflows/flaky/runs', { body: data })).body!.runId as string),
    );
    for (const runId of started) await waitForRun(runId);
    // Visibility catches up with closed runs a moment later.
    await expect.poll(async () => (await pageOf('limit=200&status=completed')).runs.length, { timeout: 20_000 }).toBe(3);
    await expect.poll(async () => (await pageOf('limit=200&status=failed')).runs.length, { timeout: 20_000 }).toBe(2);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await pageOf(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((r) => r.runId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length); // no run on two pages
    expect(seen.sort()).toEqual([...started].sort());

    const failed = await pageOf('status=failed');
    expect(failed.runs.every((r) => r.status === 'failed')).toBe(true);
    const one = failed.runs[0]!;
    expect(one).toMatchObject({ trigger: 'http', startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect(one.durationMs).toBe(Date.parse(one.closedAt!) - Date.parse(one.startedAt));

    // Like every parameter that fails its schema: invalid_request, naming the field and what it takes.
    expect(await call('GET', '/v1/workflows/flaky/runs?status=exploded')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringMatching(/^query\.status: .*"running".*"timed_out"/) } },
    });
    expect((await call('GET', '/v1/workflows/flaky/runs?cursor=not*base64')).status).toBe(400);
    expect((await call('GET', '/v1/workflows/flaky/runs?cursor=AAAAAAAAAAAA')).status).toBe(400);
    // A cursor is sealed and bound to its list: not good for another filter or workflow, nor once altered.
    const cursorOfFirst = (await pageOf('limit=1')).nextCursor!;
    expect((await call('GET', `/v1/workflows/flaky/runs?limit=1&status=failed&cursor=${cursorOfFirst}`)).body).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await call('GET', `/v1/workflows/greet/runs?limit=1&cursor=${cursorOfFirst}`)).status).toBe(400);
    const altered = `${cursorOfFirst.slice(0, 20)}${cursorOfFirst[20] === 'A' ? 'B' : 'A'}${cursorOfFirst.slice(21)}`;
    expect((await call('GET', `/v1/workflows/flaky/runs?limit=1&cursor=${altered}`)).status).toBe(400);
    expect((await pageOf(`limit=1&cursor=${cursorOfFirst}`)).runs).toHaveLength(1);
    expect((await call('GET', '/v1/workflows/flaky/runs?limit=0')).status).toBe(400);
  });

  it("gives a run's block graph from its definition: types, edges, branch labels, loops, onError blocks", async () => {
    const runId = (await call('POST', '/v1/workflows/shapes/runs', { body: {} })).body!.runId as string;
    const plan = (await call('GET', `/v1/runs/${runId}/plan`)).body!;
    expect(plan).toMatchObject({ runId, workflow: 'shapes', definitionHash: expect.any(String) });
    const blocks = plan.blocks as Array<{ id: string; type: string; onError?: boolean; loop?: unknown }>;
    expect(blocks.map((b) => `${b.id}:${b.type}`)).toEqual(['start:code', 'pick:branch', 'many:loop', 'few:code', 'done:code', 'alert:code']);
    expect(blocks.find((b) => b.id === 'many')!.loop).toEqual({ body: 'code', concurrency: 1 });
    expect(blocks.find((b) => b.id === 'alert')!.onError).toBe(true);
    expect(plan.edges).toEqual(
      expect.arrayContaining([
        { from: 'start', to: 'pick', kind: 'after' },
        { from: 'pick', to: 'many', kind: 'case', label: 'start.data.length > 2' },
        { from: 'pick', to: 'few', kind: 'else', label: 'else' },
        { from: 'many', to: 'done', kind: 'after' },
        { from: 'few', to: 'done', kind: 'after' },
      ]),
    );
    expect(plan.edges).toHaveLength(5);
    const final = await waitForRun(runId);
    expect(final).toMatchObject({ status: 'completed', blocks: { many: { status: 'completed', items: { total: 3, completed: 3 } }, few: { status: 'skipped' } } });
    expect((await call('GET', '/v1/runs/run-nope/plan')).status).toBe(404);
  });

  it("serves a run's trigger, and its output only once it completed", async () => {
    const slow = (await call('POST', '/v1/workflows/slow-sync/runs', { body: {} })).body!.runId as string;
    expect((await call('GET', `/v1/runs/${slow}/output`)).body).toEqual({ runId: slow, status: 'running' });
    await call('POST', `/v1/runs/${slow}/cancel`);

    const runId = (await call('POST', '/v1/workflows/flaky/runs', { body: { n: 7 } })).body!.runId as string;
    await waitForRun(runId);
    expect((await call('GET', `/v1/runs/${runId}/output`)).body).toEqual({ runId, status: 'completed', output: { work: { ok: true, n: 7 } } });
    expect((await call('GET', `/v1/runs/${runId}/trigger`)).body).toEqual({ runId, type: 'http', data: { n: 7 } });
    const rerun = (await call('POST', `/v1/runs/${runId}/rerun`, { body: { data: { n: 8 } } })).body!.runId as string;
    expect((await call('GET', `/v1/runs/${rerun}/trigger`)).body).toEqual({ runId: rerun, type: 'rerun', data: { n: 8 }, rerunOf: runId });
    expect((await call('GET', '/v1/runs/run-nope/output')).status).toBe(404);
  });

  it('lists the workflows with their triggers, schedules (next fire, paused) and last runs', async () => {
    writeFileSync(join(dir, 'nightly.yaml'), `
name: nightly
triggers:
  http: { mode: sync, timeoutMs: 5000 }
  schedules: [{ id: night, cron: "0 2 * * *", timezone: Europe/Berlin }]
blocks:
  - { id: tick, type: code, code: "return 1" }
`);
    const registry = directoryRegistry(dir);
    const sync = async () =>
      syncSchedules({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry, definitions: await registry.list() });
    try {
      const before = (await call('GET', '/v1/workflows')).body!.workflows as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test JSON
      expect(before.find((w) => w.name === 'nightly')!.triggers.schedules[0]).toMatchObject({ id: 'night', missing: true, paused: false });
      await sync();
      expect((await call('POST', '/v1/schedules/baton-nightly-night/pause')).status).toBe(202);
      const { workflows } = (await call('GET', '/v1/workflows')).body as { workflows: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test JSON
      expect(workflows.map((w) => w.name)).toEqual(['chain', 'echo-header', 'flaky', 'greet', 'nightly', 'quick-reply', 'shapes', 'slow-sync']);
      const nightly = workflows.find((w) => w.name === 'nightly')!;
      expect(nightly).toMatchObject({ blocks: 1, triggers: { http: { mode: 'sync', timeoutMs: 5000 } } });
      expect(nightly.triggers.schedules).toEqual([
        expect.objectContaining({ id: 'night', scheduleId: 'baton-nightly-night', cron: '0 2 * * *', timezone: 'Europe/Berlin', paused: true }),
      ]);
      const next = nightly.triggers.schedules[0].nextRuns as string[];
      expect(next.length).toBeGreaterThan(0);
      expect(new Date(next[0]!).toISOString()).toBe(next[0]);
      const flaky = workflows.find((w) => w.name === 'flaky')!;
      expect(flaky.description).toBe('passes or fails on demand');
      expect(flaky.lastRuns.length).toBe(5); // of the runs above, the newest five
      expect(flaky.lastRuns[0]).toMatchObject({ workflow: 'flaky', runId: expect.any(String), status: expect.any(String) });
    } finally {
      rmSync(join(dir, 'nightly.yaml'));
      await sync();
    }
  });

  it('serves the UI under /ui/ without a key, with a strict Content-Security-Policy and no inline script', async () => {
    const page = await fetch(`${api.url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(UI_CSP).toContain("script-src 'self'");
    expect(UI_CSP).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('set-cookie')).toBeNull();
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/); // every script is a file
    expect(html).not.toMatch(/\sstyle=|<style/);
    const script = /src="([^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${api.url}/ui/${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    const bare = await fetch(`${api.url}/ui`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/ui/']);
    expect((await fetch(`${api.url}/ui/nope.js`)).status).toBe(404);
    expect((await fetch(`${api.url}/ui/../v1/workflows`)).status).not.toBe(200);
    expect((await fetch(`${api.url}/ui/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('the OpenAPI document', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ components: openApiDocument.components }, 'doc');
  const check = (schema: string, value: unknown) => {
    const validate = ajv.getSchema(`doc#/components/schemas/${schema}`)!;
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  };

  it('documents every route the API serves', () => {
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(
      [
        'GET /v1/health',
        'GET /v1/openapi.json',
        'POST /v1/workflows/{name}/runs',
        'GET /v1/workflows/{name}/runs',
        'GET /v1/runs/{runId}',
        'GET /v1/runs/{runId}/blocks/{blockId}',
        'GET /v1/runs/{runId}/output',
        'POST /v1/runs/{runId}/cancel',
        'POST /v1/runs/{runId}/rerun',
        'GET /v1/schedules',
        'POST /v1/schedules/{id}/{action}',
        'GET /v1/workflows',
        'PUT /v1/workflows/{name}',
        'GET /v1/workflows/{name}/versions',
        'GET /v1/workflows/{name}/versions/{version}',
        'POST /v1/workflows/{name}/release',
        'GET /v1/runs/{runId}/plan',
        'GET /v1/runs/{runId}/trigger',
        'POST /v1/runs/{runId}/blocks/{blockId}/approve',
        'POST /v1/runs/{runId}/blocks/{blockId}/reject',
        'GET /v1/approvals/{token}',
        'POST /v1/approvals/{token}/approve',
        'POST /v1/approvals/{token}/reject',
      ].sort(),
    );
  });

  it('matches real responses', async () => {
    const started = await call('POST', '/v1/workflows/greet/runs', { body: { name: 'Doc' } });
    check('RunStarted', started.body);
    const runId = started.body!.runId as string;
    check('RunStatus', await waitForRun(runId));
    check('BlockDetail', (await call('GET', `/v1/runs/${runId}/blocks/hello`)).body);
    check('RunOutput', (await call('GET', `/v1/runs/${runId}/output`)).body);
    check('Error', (await call('GET', '/v1/runs/run-nope')).body);
    for (const run of (await call('GET', '/v1/workflows/greet/runs')).body!.runs as unknown[]) check('RunSummary', run);
    check('RunPlan', (await call('GET', `/v1/runs/${runId}/plan`)).body);
    check('RunOutput', (await call('GET', `/v1/runs/${runId}/output`)).body);
    check('RunTrigger', (await call('GET', `/v1/runs/${runId}/trigger`)).body);
    for (const workflow of (await call('GET', '/v1/workflows')).body!.workflows as unknown[]) check('Workflow', workflow);
  });
});
