/**
 * The API's Lambda entry point with API Gateway HTTP API events: the same
 * app the local server serves, so the answers that need no run (health,
 * the document, auth, 405, 415, 413, malformed bodies) are checked here
 * through the adapter. Runs themselves are tested on the real stack (test/e2e/api.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/handler.ts';
import { apiConfigFromEnv } from '../../../../functions/api/config.ts';
import { loadUiAssets, UI_CSP } from '../../../../functions/api/ui-assets.ts';
import { apiKeyCheckFromEnv } from '../../../../shared/auth/api-keys.ts';
import { generateKey, keyRingFromEnv } from '../../../../shared/codec/index.ts';
import { memoryRegistry } from '../../../../shared/definition/index.ts';
import { openResultStore } from '../../../../shared/store/index.ts';
import { httpApiEvent, type EventParts } from '../../../support/http-api-event.ts';

const KEY = 'unit-api-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'baton-api-unit-'));
// A lazy client: none of these requests reaches Temporal.
const { handler } = createApiHandler({
  client: new Client(),
  store: openResultStore(pathToFileURL(dir).href, keyRingFromEnv({ ENCRYPTION_KEY: generateKey() })),
  taskQueue: 'unit',
  registry: memoryRegistry([]),
  checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: KEY }),
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function call(parts: Partial<EventParts> & { method: string; rawPath: string }, key: string | null = KEY) {
  const headers = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...parts.headers };
  const result = await handler(httpApiEvent({ ...parts, headers }));
  return { status: result.statusCode, headers: result.headers ?? {}, json: result.body ? (JSON.parse(result.body) as { error?: { code: string; message: string } }) : undefined };
}

describe('API Lambda handler', () => {
  it('serves health and the generated document without a key, and nothing else', async () => {
    expect(await call({ method: 'GET', rawPath: '/v1/health' }, null)).toMatchObject({ status: 200, json: { ok: true } });
    const document = await call({ method: 'GET', rawPath: '/v1/openapi.json' }, null);
    expect(document.json).toMatchObject({ openapi: '3.0.3', paths: { '/v1/runs/{runId}/output': { get: { operationId: 'getRunOutput' } } } });
    expect(await call({ method: 'GET', rawPath: '/v1/runs/run-x' }, null)).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
  });

  it('answers 405 with Allow for a known path under another method, 404 for an unknown path', async () => {
    const wrong = await call({ method: 'DELETE', rawPath: '/v1/workflows/greet/runs' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST, GET, HEAD');
    expect(wrong.json!.error!.code).toBe('method_not_allowed');
    expect((await call({ method: 'PUT', rawPath: '/v1/runs/run-x/cancel' })).headers.allow).toBe('POST');
    expect(await call({ method: 'GET', rawPath: '/v1/nowhere' })).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
  });

  it('answers 415 for a body that is not JSON, 413 past 1 MB, 400 for bad or too deep JSON', async () => {
    const form = await call({ method: 'POST', rawPath: '/v1/workflows/greet/runs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form).toMatchObject({ status: 415, json: { error: { code: 'unsupported_media_type' } } });
    const untyped = await call({ method: 'POST', rawPath: '/v1/runs/run-x/rerun', body: '{}' });
    expect(untyped.status).toBe(415);
    const json = { 'content-type': 'application/json' };
    expect((await call({ method: 'POST', rawPath: '/v1/workflows/greet/runs', headers: json, body: `"${'x'.repeat(1_100_000)}"` })).status).toBe(413);
    expect(await call({ method: 'POST', rawPath: '/v1/workflows/greet/runs', headers: json, body: '{"a":' })).toMatchObject({ status: 400, json: { error: { code: 'invalid_json' } } });
    const deep = await call({ method: 'POST', rawPath: '/v1/workflows/greet/runs', headers: json, body: '['.repeat(20_000) + ']'.repeat(20_000) });
    expect(deep).toMatchObject({ status: 400, json: { error: { code: 'invalid_json', message: 'the body nests deeper than 256 levels' } } });
  });

  it('answers 400 naming the field for a bad query parameter or header', async () => {
    const limit = await call({ method: 'GET', rawPath: '/v1/workflows/greet/runs', rawQueryString: 'limit=0' });
    expect(limit.status).toBe(400);
    expect(limit.json!.error!.message).toMatch(/^query\.limit: /);
    const status = await call({ method: 'GET', rawPath: '/v1/workflows/greet/runs', rawQueryString: 'status=exploded' });
    expect(status).toMatchObject({ status: 400, json: { error: { code: 'invalid_request', message: expect.stringMatching(/^query\.status: /) } } });
    const key = await call({ method: 'POST', rawPath: '/v1/workflows/greet/runs', headers: { 'idempotency-key': 'k'.repeat(300) } });
    expect(key.json!.error!.message).toMatch(/^header\.idempotency-key: /);
  });
});

describe('the run viewer through the Lambda handler', () => {
  // A stand-in for a built ui-dist/ (local/ui-build.ts writes the real one).
  const uiDir = join(dir, 'ui-dist');
  mkdirSync(uiDir, { recursive: true });
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><script type="module" src="app-ABC123.js"></script>');
  writeFileSync(join(uiDir, 'app-ABC123.js'), 'export {};');
  const deps = {
    client: new Client(),
    store: openResultStore(pathToFileURL(dir).href, keyRingFromEnv({ ENCRYPTION_KEY: generateKey() })),
    taskQueue: 'unit',
    registry: memoryRegistry([]),
    checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: KEY }),
  };
  const withUi = createApiHandler({ ...deps, ui: loadUiAssets(uiDir) }).handler;
  const withoutUi = createApiHandler(deps).handler;

  it('serves /ui/ (the path API Gateway passes on, trailing slash and all) without a key, and redirects /ui to it', async () => {
    // The app routes with `strict: false`, which drops a trailing slash from c.req.path: /ui/ must still be the page.
    const page = await withUi(httpApiEvent({ method: 'GET', rawPath: '/ui/' }));
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': UI_CSP, 'cache-control': 'no-cache' });
    expect(page.body).toContain('app-ABC123.js');
    const script = await withUi(httpApiEvent({ method: 'GET', rawPath: '/ui/app-ABC123.js' }));
    expect([script.statusCode, script.headers?.['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    const bare = await withUi(httpApiEvent({ method: 'GET', rawPath: '/ui' }));
    expect([bare.statusCode, bare.headers?.location]).toEqual([308, '/ui/']);
    expect((await withUi(httpApiEvent({ method: 'GET', rawPath: '/ui/nope.js' }))).statusCode).toBe(404);
  });

  it('answers 404 ui_not_built under /ui/ where the viewer was not built, and still serves the API', async () => {
    const page = await withoutUi(httpApiEvent({ method: 'GET', rawPath: '/ui/' }));
    expect([page.statusCode, JSON.parse(page.body!).error.code]).toEqual([404, 'ui_not_built']);
    expect((await withoutUi(httpApiEvent({ method: 'GET', rawPath: '/v1/health' }))).statusCode).toBe(200);
  });
});

describe('API settings', () => {
  it('names the setting that is missing or malformed', () => {
    const env = { ENCRYPTION_KEY: generateKey() };
    expect(() => apiConfigFromEnv(env)).toThrow(/^BATON_API_KEYS: not set/);
    expect(() => apiConfigFromEnv({ ...env, BATON_API_KEYS: KEY, BATON_WORKFLOWS_DIR: ' ' })).toThrow(/^BATON_WORKFLOWS_DIR: /);
    expect(() => apiConfigFromEnv({ ...env, BATON_API_KEYS: KEY, TEMPORAL_ADDRESS: 'nope' })).toThrow(/^TEMPORAL_ADDRESS: /);
    expect(apiConfigFromEnv({ ...env, BATON_API_KEYS: KEY, BATON_WORKFLOWS_DIR: 'flows' }, '/srv').workflowsDir).toBe('/srv/flows');
  });
});

describe('the exported handler', () => {
  it('answers 500 misconfigured, naming the setting in its log only, while a setting is bad', async () => {
    const { handler: exported } = await import('../../../../functions/api/handler.ts');
    const saved = process.env.BATON_API_KEYS;
    delete process.env.BATON_API_KEYS;
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const result = await exported(httpApiEvent({ method: 'GET', rawPath: '/v1/runs/run-x', headers: { authorization: `Bearer ${KEY}` } }));
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'misconfigured' } });
      expect(errors.some((line) => line.startsWith('api: BATON_API_KEYS: not set'))).toBe(true);
      // Health needs no deps at all.
      expect((await exported(httpApiEvent({ method: 'GET', rawPath: '/v1/health' }))).statusCode).toBe(200);
    } finally {
      console.error = original;
      if (saved !== undefined) process.env.BATON_API_KEYS = saved;
    }
  });
});
