/** The codec server's Lambda entry point, with API Gateway HTTP API (payload format 2.0) events. */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { handler } from '../../../../functions/codec-server/handler.ts';
import { generateKey } from '../../../../shared/codec/index.ts';
import { httpApiEvent } from '../../../support/http-api-event.ts';

const TOKEN = 'bc_lambda-token-0123456789';
const UI = 'https://cloud.temporal.io';
const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

function event(method: string, rawPath: string, headers: Record<string, string>, body?: string, isBase64Encoded = false) {
  return httpApiEvent({ method, rawPath, headers, ...(body !== undefined ? { body } : {}), isBase64Encoded });
}

const payloadJson = (value: unknown) => {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
};

describe('codec server Lambda handler', () => {
  it('answers 500 naming no secret while a setting is missing, and recovers once it is set', async () => {
    const key = generateKey();
    delete process.env.BATON_CODEC_TOKENS;
    process.env.ENCRYPTION_KEY = key;
    const broken = await handler(event('POST', '/decode', { authorization: `Bearer ${TOKEN}` }, '{"payloads":[]}'));
    expect(broken.statusCode).toBe(500);
    expect(JSON.parse(broken.body)).toEqual({ error: { code: 'misconfigured', message: 'the codec server is misconfigured; its log names the setting' } });
    expect(broken.body).not.toContain(key);

    process.env.BATON_CODEC_TOKENS = TOKEN;
    process.env.BATON_CODEC_CORS_ORIGINS = UI;
    const body = JSON.stringify({ payloads: [payloadJson({ hello: 'lambda' })] });
    const encoded = await handler(event('POST', '/encode', { Authorization: `Bearer ${TOKEN}`, Origin: UI }, Buffer.from(body).toString('base64'), true));
    expect(encoded.statusCode).toBe(200);
    expect(encoded.headers?.['access-control-allow-origin']).toBe(UI);
    const decoded = await handler(event('POST', `/token/${TOKEN}/decode`, { origin: UI }, encoded.body));
    expect(decoded.statusCode).toBe(200);
    expect(JSON.parse(decoded.body)).toEqual({ payloads: [payloadJson({ hello: 'lambda' })] });
  });

  it('answers a preflight from the UI origin and 401 without a token', async () => {
    const preflight = await handler(event('OPTIONS', '/decode', { origin: UI, 'access-control-request-method': 'POST' }));
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers?.['access-control-allow-origin']).toBe(UI);
    const anonymous = await handler(event('POST', '/decode', {}, '{"payloads":[]}'));
    expect(anonymous.statusCode).toBe(401);
  });
});
