/**
 * OpenTelemetry traces on the real stack, exported by OTLP/HTTP to a
 * receiver in this test: a request to the API starts a 3-block run whose
 * middle block fails its first attempt, and the spans make one tree, from
 * the HTTP request through the client's start, the workflow, each block
 * attempt's activity, to the executor that ran it (continued from the
 * envelope). Span attributes hold ids, types, outcomes and sizes: the
 * trigger data's marker is nowhere in what was exported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { startTracing, type Tracing } from '../../shared/tracing/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const API_KEY = 'test-key-traces-0123456789abcd';

interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

/** An OTLP/HTTP trace receiver (the JSON encoding the exporter sends): every span, and every body as text. */
async function startReceiver() {
  const spans: ExportedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      type Attr = { key: string; value: Record<string, unknown> };
      type Raw = { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: Attr[] };
      const parsed = JSON.parse(body) as { resourceSpans?: { scopeSpans?: { spans?: Raw[] }[] }[] };
      for (const resource of parsed.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const attributes = Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
            spans.push({ traceId: span.traceId, spanId: span.spanId, ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}), name: span.name, attributes });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tracing: Tracing;
let stack: TestStack;
let api: Awaited<ReturnType<typeof startApiServer>>;
let dir: string;

beforeAll(async () => {
  receiver = await startReceiver();
  // Before the stack: its client and worker find the provider this starts (one per process, as in each deployed part).
  tracing = startTracing('baton-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  stack = await startTestStack({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  dir = mkdtempSync(join(tmpdir(), 'baton-traces-'));
  writeFileSync(
    join(dir, 'three.yaml'),
    `
name: three
blocks:
  - { id: first, type: code, code: "return trigger.data.marker.length" }
  - id: flaky
    type: code
    after: [first]
    retry: { maxAttempts: 2, initialIntervalMs: 10 }
    code: "if (context.attempt === 1) throw new Error('not yet ' + trigger.data.marker); return first.data + 1"
  - { id: last, type: code, after: [flaky], code: "return { n: flaky.data }" }
`,
  );
  writeFileSync(join(dir, 'limited.yaml'), 'name: limited\nconcurrency: { limit: 1 }\nblocks:\n  - { id: only, type: code, code: "return 1" }\n');
  api = await startApiServer(
    { client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry: directoryRegistry(dir), checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }) },
    { port: 0 },
  );
});

afterAll(async () => {
  await api?.close();
  await stack?.stop();
  await tracing?.shutdown();
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('makes one span tree from the HTTP request to each executor invocation, a retry included, without user data', async () => {
  const marker = `MARKER${Math.random().toString(36).slice(2, 10)}`;
  const response = await fetch(`${api.url}/v1/workflows/three/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ marker }),
  });
  expect(response.status).toBe(202);
  const { runId } = (await response.json()) as { runId: string };
  expect(await stack.client.workflow.getHandle(runId).result()).toBeDefined();

  // The workflow's span ends with the run; the batch processor sends it on the next flush.
  const executorSpans = () => receiver.spans.filter((span) => span.attributes['baton.run_id'] === runId);
  const deadline = Date.now() + 30_000;
  const traceOfRun = () => executorSpans()[0]?.traceId;
  while (executorSpans().length < 4 || !receiver.spans.some((span) => span.name === 'RunWorkflow:batonRun' && span.traceId === traceOfRun())) {
    if (Date.now() > deadline) throw new Error(`spans so far: ${receiver.spans.map((span) => span.name).join(', ')}`);
    await tracing.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const request = receiver.spans.find((span) => span.name === 'POST /v1/workflows/:name/runs');
  expect(request).toBeDefined();
  const trace = receiver.spans.filter((span) => span.traceId === request!.traceId);
  const byId = new Map(trace.map((span) => [span.spanId, span]));
  const parentOf = (span: ExportedSpan | undefined) => (span?.parentSpanId ? byId.get(span.parentSpanId) : undefined);
  const path = (span: ExportedSpan) => {
    const names: string[] = [];
    for (let current: ExportedSpan | undefined = span; current; current = parentOf(current)) names.unshift(current.name);
    return names;
  };

  expect(request!.parentSpanId).toBeUndefined();
  const run = trace.find((span) => span.name === 'RunWorkflow:batonRun')!;
  expect(path(run)).toEqual(['POST /v1/workflows/:name/runs', 'StartWorkflow:batonRun', 'RunWorkflow:batonRun']);

  const executed = executorSpans();
  expect(executed.every((span) => span.traceId === request!.traceId)).toBe(true);
  const attempts = executed.map((span) => `${String(span.attributes['baton.block_id'])}#${String(span.attributes['baton.attempt'])}:${String(span.attributes['baton.outcome'])}`).sort();
  expect(attempts).toEqual(['first#1:completed', 'flaky#1:failed', 'flaky#2:completed', 'last#1:completed']);
  for (const span of executed) {
    expect(path(span)).toEqual([
      'POST /v1/workflows/:name/runs',
      'StartWorkflow:batonRun',
      'RunWorkflow:batonRun',
      'StartActivity:runBlock',
      'RunActivity:runBlock',
      `code-executor ${String(span.attributes['baton.block_id'])}`,
    ]);
  }
  expect(executed.find((span) => span.attributes['baton.outcome'] === 'failed')?.attributes['baton.block_error_type']).toBe('Error');
  expect(receiver.bodies.some((body) => body.includes(marker))).toBe(false);
});

it('traces a limited run, but not the gate that lets it in (the gate outlives any one trace)', async () => {
  const post = () => fetch(`${api.url}/v1/workflows/limited/runs`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: '{}' });
  const runIds: string[] = [];
  for (let i = 0; i < 2; i += 1) runIds.push(((await (await post()).json()) as { runId: string }).runId);
  await Promise.all(runIds.map((runId) => stack.client.workflow.getHandle(runId).result()));
  const executed = () => receiver.spans.filter((span) => runIds.includes(String(span.attributes['baton.run_id'])));
  const deadline = Date.now() + 30_000;
  while (executed().length < 2) {
    if (Date.now() > deadline) throw new Error(`spans so far: ${receiver.spans.map((span) => span.name).join(', ')}`);
    await tracing.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const traces = new Set(executed().map((span) => span.traceId));
  expect(traces.size).toBe(2);
  for (const traceId of traces) expect(receiver.spans.some((span) => span.traceId === traceId && span.name === 'RunWorkflow:batonRun')).toBe(true);
  expect(receiver.spans.some((span) => span.name === 'RunWorkflow:batonGate')).toBe(false);
});
