/** The codec server protocol, auth and CORS, through handleCodecRequest (the Lambda and the local server both call it). */
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { handleCodecRequest, type CodecRequest } from '../../../../functions/codec-server/app.ts';
import { codecServerDepsFromEnv, parseOrigins } from '../../../../functions/codec-server/settings.ts';
import { createKeyRing, generateKey, KeyRingPayloadCodec } from '../../../../shared/codec/index.ts';
import { ConfigError } from '../../../../shared/errors/index.ts';

const MARKER = `codec-server-marker-${Math.random().toString(36).slice(2)}`;
const TOKEN = 'bc_test-token-0123456789';
const UI = 'http://127.0.0.1:8233';
const key = generateKey();
const deps = codecServerDepsFromEnv({ BATON_ENCRYPTION_KEYS: `k1:${key}`, BATON_CODEC_TOKENS: `other-token-abcdefgh,${TOKEN}`, BATON_CODEC_CORS_ORIGINS: UI });

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const toJson = (p: Payload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) });
const plainPayload = (value: unknown) => toJson(defaultPayloadConverter.toPayload(value));

function request(overrides: Partial<CodecRequest> & { json?: unknown } = {}): CodecRequest {
  const { json, ...rest } = overrides;
  return {
    method: 'POST',
    path: '/decode',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(json ?? { payloads: [] }),
    ...rest,
  };
}

interface Answer {
  payloads?: unknown[];
  error?: { code: string; message: string };
}

async function call(overrides: Partial<CodecRequest> & { json?: unknown } = {}) {
  const response = await handleCodecRequest(deps, request(overrides));
  return { ...response, json: response.body ? (JSON.parse(response.body) as Answer) : undefined };
}

describe('encode and decode', () => {
  it('encodes plain payloads into sealed ones and decodes them back', async () => {
    const encoded = await call({ path: '/encode', json: { payloads: [plainPayload({ secret: MARKER }), plainPayload(7)] } });
    expect(encoded.status).toBe(200);
    expect(encoded.headers['content-type']).toBe('application/json');
    const sealed = encoded.json!.payloads as unknown as Array<{ metadata: Record<string, string>; data: string }>;
    expect(sealed).toHaveLength(2);
    expect(Buffer.from(sealed[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('k1');
    expect(encoded.body).not.toContain(MARKER);
    expect(Buffer.from(sealed[0]!.data, 'base64').includes(Buffer.from(MARKER))).toBe(false);

    const decoded = await call({ json: { payloads: sealed } });
    expect(decoded.status).toBe(200);
    expect(decoded.json).toEqual({ payloads: [plainPayload({ secret: MARKER }), plainPayload(7)] });
  });

  it('decodes what the deployment codec sealed, and passes plain payloads through', async () => {
    const ring = createKeyRing([['k1', Buffer.from(key, 'base64')]]);
    const [sealed] = await new KeyRingPayloadCodec(ring).encode([defaultPayloadConverter.toPayload(MARKER)]);
    const response = await call({ json: { payloads: [toJson(sealed!), plainPayload('as is')] } });
    expect(response.json).toEqual({ payloads: [plainPayload(MARKER), plainPayload('as is')] });
  });

  it('answers 422 naming the payload and the key when one cannot be decoded, without its content', async () => {
    const stranger = createKeyRing([['gone', Buffer.from(generateKey(), 'base64')]]);
    const [sealed] = await new KeyRingPayloadCodec(stranger).encode([defaultPayloadConverter.toPayload(MARKER)]);
    const response = await call({ json: { payloads: [plainPayload(1), toJson(sealed!)] } });
    expect(response.status).toBe(422);
    expect(response.json!.error!.code).toBe('undecodable');
    expect(response.json!.error!.message).toMatch(/^payloads\[1\]: Temporal payload: ciphertext was sealed with key "gone"/);
    expect(response.body).not.toContain(MARKER);
    expect(response.body).not.toContain(key);
  });

  it.each([
    ['no body', { body: '' }, 400, /must be JSON/],
    ['not JSON', { body: '{nope' }, 400, /not valid JSON/],
    ['no payloads', { json: { items: [] } }, 400, /^payloads: /],
    ['data not base64', { json: { payloads: [{ data: 'no spaces allowed' }] } }, 400, /^payloads\[0\]\.data: is not base64/],
    ['metadata not base64', { json: { payloads: [{ metadata: { encoding: '!!' } }] } }, 400, /^payloads\[0\]\.metadata\.encoding: is not base64/],
    ['too large', { body: 'x'.repeat(6 * 1024 * 1024 + 1) }, 413, /over/],
  ] as const)('refuses %s with %i', async (_name, overrides, status, message) => {
    const response = await call(overrides);
    expect(response.status).toBe(status);
    expect(response.json!.error!.message).toMatch(message);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    expect((await call({ path: '/v1/decode' })).status).toBe(404);
    const get = await call({ method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST, OPTIONS');
  });
});

describe('auth', () => {
  it('answers 401 without a token, or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const response = await call({ headers });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json!.error!.code).toBe('unauthorized');
    }
  });

  it('takes the token from the path, for UIs that cannot send a header', async () => {
    expect((await call({ headers: {}, path: `/token/${TOKEN}/decode` })).status).toBe(200);
    expect((await call({ headers: {}, path: `/token/${encodeURIComponent(TOKEN)}/encode` })).status).toBe(200);
    expect((await call({ headers: {}, path: '/token/wrong-token-0123456789/decode' })).status).toBe(401);
    expect((await call({ headers: {}, path: '/token/%E0%A4%A/decode' })).status).toBe(401);
  });
});

describe('CORS', () => {
  it('answers a preflight from the UI origin, without a token', async () => {
    const response = await call({ method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' }, body: undefined });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(UI);
    expect(response.headers['access-control-allow-methods']).toContain('POST');
    expect(response.headers['access-control-allow-headers']).toContain('x-namespace');
    expect(response.headers['access-control-allow-headers']).toContain('authorization');
    expect(response.headers.vary).toBe('Origin');
  });

  it('refuses a preflight or a call from any other origin, with no CORS grant', async () => {
    for (const origin of ['http://evil.example', 'http://127.0.0.1:8234', 'null']) {
      const preflight = await call({ method: 'OPTIONS', headers: { origin }, body: undefined });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const post = await call({ headers: { origin, authorization: `Bearer ${TOKEN}` } });
      expect(post.status).toBe(403);
      expect(post.json!.error!.code).toBe('origin_not_allowed');
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('grants the UI origin on its calls, errors included, and nothing to calls without an origin', async () => {
    const ok = await call({ headers: { origin: UI, authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    const unauthorized = await call({ headers: { origin: UI } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(UI);
    const cli = await call();
    expect(cli.status).toBe(200);
    expect(cli.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('settings', () => {
  it('accepts exact origins and refuses wildcards, paths and other schemes', () => {
    expect(parseOrigins(' https://cloud.temporal.io, http://localhost:8233 ')).toEqual(['https://cloud.temporal.io', 'http://localhost:8233']);
    expect(parseOrigins(undefined)).toEqual([]);
    for (const bad of ['*', 'https://cloud.temporal.io/', 'https://x.example/ui', 'ftp://x.example', 'cloud.temporal.io']) {
      expect(() => parseOrigins(bad)).toThrow(ConfigError);
      expect(() => parseOrigins(bad)).toThrow(/^BATON_CODEC_CORS_ORIGINS: /);
    }
  });

  it('needs tokens of at least 16 characters, and the key ring', () => {
    expect(() => codecServerDepsFromEnv({ ENCRYPTION_KEY: key })).toThrow(/^BATON_CODEC_TOKENS: not set/);
    expect(() => codecServerDepsFromEnv({ ENCRYPTION_KEY: key, BATON_CODEC_TOKENS: 'short' })).toThrow(/at least 16 characters/);
    expect(() => codecServerDepsFromEnv({ BATON_CODEC_TOKENS: TOKEN })).toThrow(/^ENCRYPTION_KEY: not set/);
  });
});
