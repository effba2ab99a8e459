/**
 * HTTP blocks against local HTTP servers: URLs, headers with secrets,
 * bodies, redirects, status classes with Retry-After, size caps, timeouts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttp, type HttpRequest } from '../../../../functions/db-connector/http.ts';
import { retryAfterMs } from '../../../../functions/db-connector/http-body.ts';
import { stepFailure, testSecrets } from './helpers.ts';
import { resourceSchema } from '../../../../shared/config/resources.ts';
import { freePort } from '../../../../local/free-port.ts';

const TOKEN = 'tok-3f9a-very-secret';
process.env.BATON_SECRET_HTTP_TOKEN = TOKEN;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];
type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function serve(routes: Record<string, Route>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes[(req.url ?? '').split('?')[0]!];
      if (route) route(req, res, body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));

let api: { server: Server; origin: string };
let other: { server: Server; origin: string };

beforeAll(async () => {
  other = await serve({
    '/landing': (req, res) => json(res, 200, { authorization: req.headers.authorization ?? null, apiKey: req.headers['x-api-key'] ?? null }),
  });
  api = await serve({
    '/v1': (req, res) => json(res, 200, { url: req.url }),
    '/v1/echo': (req, res, body) => json(res, 200, { method: req.method, url: req.url, authorization: req.headers.authorization, trace: req.headers['x-trace'], type: req.headers['content-type'] ?? null, body }),
    '/v1/text': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('plain words'),
    '/v1/bytes': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0, 1, 2, 255])),
    '/v1/empty': (_req, res) => res.writeHead(204).end(),
    '/v1/broken-json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a": '),
    '/v1/fail': (_req, res) => json(res, 500, { error: 'database down' }),
    '/v1/busy': (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '7' }),
    '/v1/gone': (_req, res) => json(res, 410, { error: 'gone for good' }),
    '/v1/hop': (_req, res) => res.writeHead(302, { location: '/v1/echo?hopped=1' }).end(),
    '/v1/loop': (_req, res) => res.writeHead(302, { location: '/v1/loop' }).end(),
    '/v1/see-other': (_req, res) => res.writeHead(303, { location: '/v1/echo' }).end(),
    '/v1/away': (_req, res) => res.writeHead(307, { location: `${other.origin}/landing` }).end(),
    '/v1/huge': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(5000) }).end('x'.repeat(5000)),
    '/v1/huge-chunked': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 50; i++) res.write('y'.repeat(100));
      res.end();
    },
    '/v1/never': () => undefined,
  });
});
afterAll(async () => {
  api.server.closeAllConnections();
  other.server.closeAllConnections();
  await Promise.all([new Promise((r) => api.server.close(r)), new Promise((r) => other.server.close(r))]);
});

function resource(overrides: Record<string, unknown> = {}) {
  return resourceSchema.parse({
    type: 'http',
    baseUrl: `${api.origin}/v1`,
    headers: { Authorization: 'Bearer {{ secret:HTTP_TOKEN }}', 'X-Api-Key': 'key-{{ secret:HTTP_TOKEN }}' },
    ...overrides,
  });
}
const call = (overrides: Partial<HttpRequest>, res = resource()) =>
  runHttp(res, { resourceName: 'crm', blockId: 'fetch', method: 'GET', path: '/echo', timeoutMs: 10_000, secrets: testSecrets, ...overrides });


describe('requests', () => {
  it('go below the base URL with the query, the resource headers (secrets filled in) and the block headers', async () => {
    const result = await call({ path: 'echo', query: { q: 'a b', tag: ['x', 'y'], skip: null }, headers: { 'X-Trace': 42 } });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    const last = seen.at(-1)!;
    expect(last.url).toBe('/v1/echo?q=a+b&tag=x&tag=y');
    expect(last.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(last.headers['x-trace']).toBe('42');
    // the API echoed the token: the block's data does not carry it
    expect(result.body).toEqual({ method: 'GET', url: '/v1/echo?q=a+b&tag=x&tag=y', authorization: 'Bearer ****', trace: '42', type: null, body: '' });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('send objects as JSON, strings as text and objects as a form when the block says so', async () => {
    const asJson = await call({ method: 'POST', body: { total: 3, items: ['a'] } });
    expect(asJson.body).toMatchObject({ method: 'POST', type: 'application/json', body: '{"total":3,"items":["a"]}' });
    const asText = await call({ method: 'PUT', body: 'hello' });
    expect(asText.body).toMatchObject({ type: 'text/plain; charset=utf-8', body: 'hello' });
    const asForm = await call({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: { a: '1 2', b: true } });
    expect(asForm.body).toMatchObject({ body: 'a=1+2&b=true' });
  });

  it('refuse a path that leaves the base URL, before anything is sent', async () => {
    const before = seen.length;
    for (const path of ['../admin', 'https://evil.example/steal', '%2e%2e/admin', 'echo/../../admin']) {
      const error = await stepFailure(call({ path }));
      expect(error).toMatchObject({ type: 'HttpError', retryable: false });
      expect(error.message).toContain(`path "${path}" leads outside the resource's base URL`);
    }
    expect(seen.length).toBe(before);
  });

  it('go to the base URL itself for an empty path, with its own query kept', async () => {
    const result = await call({ path: '', query: { b: 2 } }, resource({ baseUrl: `${api.origin}/v1?a=1` }));
    expect(result.body).toEqual({ url: '/v1?a=1&b=2' });
  });

  it('refuse a body on a GET', async () => {
    const error = await stepFailure(call({ body: { a: 1 } }));
    expect(error.message).toBe('block "fetch" (resource crm): a GET request cannot have a body; drop body or use another method');
  });
});

describe('responses', () => {
  it('are parsed by content type: JSON, text, bytes as base64, nothing as null', async () => {
    expect((await call({ path: 'text' })).body).toBe('plain words');
    expect((await call({ path: 'bytes' })).body).toBe(Buffer.from([0, 1, 2, 255]).toString('base64'));
    expect(await call({ path: 'empty' })).toMatchObject({ status: 204, body: null });
  });

  it('fail when they say JSON and are not', async () => {
    const error = await stepFailure(call({ path: 'broken-json' }));
    expect(error).toMatchObject({ type: 'HttpError', retryable: false });
    expect(error.message).toContain('the response says it is application/json but is not valid JSON');
  });

  it('fail on 5xx and 429 retryably, with Retry-After as a hint; on other statuses at once', async () => {
    const server = await stepFailure(call({ path: 'fail' }));
    expect(server).toMatchObject({ type: 'HttpError', retryable: true, retryAfterMs: undefined });
    expect(server.message).toBe('block "fetch" (resource crm): GET /v1/fail answered 500 Internal Server Error: {"error":"database down"}');
    const busy = await stepFailure(call({ path: 'busy' }));
    expect(busy).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(busy.toBlockError()).toEqual({ type: 'HttpError', message: expect.stringContaining('429'), retryable: true, retryAfterMs: 7000 });
    const gone = await stepFailure(call({ path: 'gone' }));
    expect(gone).toMatchObject({ retryable: false });
    expect(gone.message).toContain('answered 410 Gone');
  });

  it('fail over the byte cap, whether the length is announced or not', async () => {
    const capped = resource({ maxResponseBytes: 1000 });
    for (const path of ['huge', 'huge-chunked']) {
      const error = await stepFailure(call({ path }, capped));
      expect(error).toMatchObject({ type: 'ResultTooLarge', retryable: false });
      expect(error.message).toContain('the response body is larger than 1000 bytes (maxResponseBytes)');
    }
  });
});

describe('redirects', () => {
  it('are followed on the same origin with the headers', async () => {
    const result = await call({ path: 'hop' });
    expect(result.body).toMatchObject({ url: '/v1/echo?hopped=1', authorization: 'Bearer ****' });
  });

  it('turn a POST into a GET without body after a 303', async () => {
    const result = await call({ method: 'POST', path: 'see-other', body: { a: 1 } });
    expect(result.body).toMatchObject({ method: 'GET', body: '', type: null });
  });

  it('stop after maxRedirects', async () => {
    const error = await stepFailure(call({ path: 'loop' }, resource({ maxRedirects: 3 })));
    expect(error).toMatchObject({ type: 'HttpError', retryable: false });
    expect(error.message).toContain('GET /v1/loop redirected more than 3 times (maxRedirects)');
  });

  it('to another origin leave the resource headers behind', async () => {
    const result = await call({ path: 'away' });
    expect(result.body).toEqual({ authorization: null, apiKey: null });
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
  });
});

describe('failures to get an answer', () => {
  it('time out retryably, at the shorter of the block and resource timeouts', async () => {
    const error = await stepFailure(call({ path: 'never', timeoutMs: 30_000 }, resource({ timeoutMs: 200 })));
    expect(error).toMatchObject({ type: 'HttpTimeout', retryable: true });
    expect(error.message).toBe('block "fetch" (resource crm): GET /v1/never: no complete response within 200 ms');
  });

  it('mark a refused connection retryable', async () => {
    const error = await stepFailure(call({}, resource({ baseUrl: `http://127.0.0.1:${await freePort()}/v1` })));
    expect(error).toMatchObject({ type: 'HttpConnectionError', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('fail at once on a port fetch refuses to use', async () => {
    const error = await stepFailure(call({}, resource({ baseUrl: 'http://127.0.0.1:6000/v1' })));
    expect(error).toMatchObject({ type: 'HttpConnectionError', retryable: false });
    expect(error.message).toContain('port 6000 is on the Fetch standard\'s list of blocked ports');
  });

  it('refuse a database resource', async () => {
    const db = resourceSchema.parse({ type: 'postgres', url: 'postgres://u:p@h/d' });
    const error = await stepFailure(call({}, db));
    expect(error).toMatchObject({ type: 'ResourceError', retryable: false });
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
