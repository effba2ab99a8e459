/** The local codec server over real HTTP, as the dev server's Web UI (a browser) and the Temporal CLI call it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { startCodecServerForWebUi, webUiOrigins, type LocalCodecServer } from '../../../local/codec-server.ts';
import { generateKey } from '../../../shared/codec/index.ts';

const TOKEN = 'bc_local-token-0123456789';
let server: LocalCodecServer;
let uiEndpoint: string;

beforeAll(async () => {
  const started = await startCodecServerForWebUi({ ENCRYPTION_KEY: generateKey(), BATON_CODEC_TOKENS: TOKEN }, '127.0.0.1', 8233);
  server = started.server;
  uiEndpoint = started.uiEndpoint;
});
afterAll(() => server?.close());

const body = () => {
  const payload = defaultPayloadConverter.toPayload({ from: 'ui' });
  return JSON.stringify({
    payloads: [
      {
        metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(payload.data ?? []).toString('base64'),
      },
    ],
  });
};

describe('local codec server', () => {
  it('gives the UI an endpoint with the token in its path, under which it encodes and decodes', async () => {
    expect(uiEndpoint).toBe(`${server.url}/token/${TOKEN}`);
    const headers = { origin: 'http://localhost:8233', 'content-type': 'application/json', 'x-namespace': 'baton-local' };
    const encoded = await fetch(`${uiEndpoint}/encode`, { method: 'POST', headers, body: body() });
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const decoded = await fetch(`${uiEndpoint}/decode`, { method: 'POST', headers, body: await encoded.text() });
    expect(await decoded.json()).toEqual(JSON.parse(body()));
  });

  it('answers the browser preflight for the UI origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${uiEndpoint}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ok = await preflight('http://127.0.0.1:8233');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const other = await preflight('http://127.0.0.1:3000');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('needs the token, from the header or the path', async () => {
    expect((await fetch(`${server.url}/decode`, { method: 'POST', body: body() })).status).toBe(401);
    const withHeader = await fetch(`${server.url}/decode`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: body() });
    expect(withHeader.status).toBe(200);
  });

  it('refuses a body over the Lambda limit with 413', async () => {
    const response = await fetch(`${uiEndpoint}/decode`, { method: 'POST', body: 'x'.repeat(6 * 1024 * 1024 + 10) });
    expect(response.status).toBe(413);
  });

  it('lists the origins a browser shows the UI under', () => {
    expect(webUiOrigins('127.0.0.1', 8233)).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(webUiOrigins('10.0.0.5', 9000)).toEqual(['http://10.0.0.5:9000']);
    expect(webUiOrigins('::1', 8233)).toEqual(['http://[::1]:8233', 'http://localhost:8233']);
  });
});
