/**
 * HTTP blocks (docs/language.md): a request below an http resource's base URL, with
 * the resource's headers (secrets filled in here) and the block's own. The
 * path cannot leave the base URL; redirects are followed up to the
 * resource's maxRedirects, and the resource's headers never follow one to
 * another origin. 5xx and 429 fail retryably (with the server's Retry-After
 * as a hint), other non-2xx at once. The body is read up to a byte cap and
 * parsed as JSON when it says it is JSON.
 */
import type { Resource, HttpResource } from '../../shared/config/resources.ts';
import { readBody, retryAfterMs } from './http-body.ts';
import type { Secrets } from './secrets.ts';
import { TLS_ERROR_CODE } from './sql-errors.ts';
import { BlockFailure } from '../../shared/errors/index.ts';
import { DEFAULT_MAX_RESULT_BYTES } from '../../shared/contract/index.ts';

export interface HttpRequest {
  readonly resourceName: string;
  /** Named in error messages. */
  readonly blockId: string;
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, unknown> | undefined;
  readonly headers?: Record<string, unknown> | undefined;
  readonly body?: unknown;
  readonly timeoutMs: number;
  /** Where `{{ secret:NAME }}` comes from; every value it resolves is masked in what the block returns. */
  readonly secrets: Secrets;
  /** Bytes of a response body, unless the resource sets its own maxResponseBytes. */
  readonly maxBytes?: number;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: dropped when a redirect leads to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** The URL for `path` and `query` below `base`, or a failure if the path would leave it. */
export function requestUrl(base: URL, path: string, query: Record<string, unknown> | undefined, where: string): URL {
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const relative = path.replace(/^\/+/, '');
  // An empty path is the base URL itself, without a slash added.
  const url = relative ? new URL(relative, new URL(basePath, base)) : new URL(base.href);
  const below = url.pathname === basePath.slice(0, -1) || url.pathname.startsWith(basePath);
  if (url.origin !== base.origin || !below) {
    throw new BlockFailure('HttpError', `${where}: path "${path}" leads outside the resource's base URL`, false);
  }
  for (const [name, value] of base.searchParams) if (!url.searchParams.has(name)) url.searchParams.append(name, value);
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) url.searchParams.append(name, text(item));
    }
  }
  return url;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function requestBody(body: unknown, method: string, headers: Headers, where: string): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET' || method === 'HEAD') {
    throw new BlockFailure('HttpError', `${where}: a ${method} request cannot have a body; drop body or use another method`, false);
  }
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=utf-8');
    return body;
  }
  if ((headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded') && typeof body === 'object' && !Array.isArray(body)) {
    return new URLSearchParams(Object.entries(body).map(([name, value]): [string, string] => [name, text(value)])).toString();
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return JSON.stringify(body);
}

async function requestHeaders(resource: HttpResource, request: HttpRequest, secrets: Secrets, where: string) {
  const headers = new Headers();
  const fromResource = new Set<string>();
  try {
    for (const [name, value] of Object.entries(resource.headers)) {
      headers.set(name, await secrets.resolve(value));
      fromResource.add(name.toLowerCase());
    }
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (value !== undefined && value !== null) headers.set(name, text(value));
    }
  } catch (error) {
    if (error instanceof BlockFailure) throw error;
    // The message would quote the value, which may be a secret.
    throw new BlockFailure('HttpError', `${where}: a header name or value is not valid in HTTP`, false);
  }
  return { headers, fromResource };
}

export async function runHttp(resource: Resource, request: HttpRequest): Promise<HttpResult> {
  const where = `block "${request.blockId}" (resource ${request.resourceName})`;
  if (resource.type !== 'http') {
    throw new BlockFailure('ResourceError', `${where}: the resource is ${resource.type}; an http block needs an http resource`, false);
  }
  const { secrets } = request;
  const timeoutMs = Math.min(request.timeoutMs, resource.timeoutMs ?? Infinity);
  // For the error message: the URL last asked.
  let asked: URL | undefined;
  try {
    const base = new URL(await secrets.resolve(resource.baseUrl, encodeURIComponent));
    let url = requestUrl(base, request.path, request.query, where);
    asked = url;
    const { headers, fromResource } = await requestHeaders(resource, request, secrets, where);
    const body = requestBody(request.body, request.method, headers, where);
    const signal = AbortSignal.timeout(timeoutMs);
    let method = request.method;
    let payload = body;
    for (let redirects = 0; ; redirects += 1) {
      const response = await fetch(url, { method, headers, body: payload, redirect: 'manual', signal });
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location) {
        await response.body?.cancel();
        if (redirects >= resource.maxRedirects) {
          throw new BlockFailure('HttpError', `${where}: ${request.method} ${url.pathname} redirected more than ${resource.maxRedirects} times (maxRedirects)`, false);
        }
        const next: URL = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new BlockFailure('HttpError', `${where}: redirected to a ${next.protocol} URL`, false);
        }
        // As browsers do: 303, and 301/302 after a POST, go on as a GET without the body.
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          payload = undefined;
          headers.delete('content-type');
        }
        if (next.origin !== url.origin) for (const name of [...fromResource, ...CREDENTIAL_HEADERS]) headers.delete(name);
        url = next;
        asked = next;
        continue;
      }
      const maxBytes = resource.maxResponseBytes ?? request.maxBytes ?? DEFAULT_MAX_RESULT_BYTES;
      const read = await readBody(response, maxBytes, response.ok, where);
      if (!response.ok) {
        const retryable = response.status >= 500 || response.status === 429;
        const snippet = typeof read.body === 'string' ? read.body : JSON.stringify(read.body);
        throw new BlockFailure(
          'HttpError',
          `${where}: ${request.method} ${url.pathname} answered ${response.status} ${response.statusText}${snippet ? `: ${snippet.slice(0, 300)}` : ''}`,
          retryable,
          retryable ? retryAfterMs(response.headers.get('retry-after')) : undefined,
        );
      }
      return secrets.maskValue({ status: response.status, headers: responseHeaders(response.headers), body: read.body });
    }
  } catch (error) {
    throw httpFailure(error, where, request, asked, timeoutMs, secrets);
  }
}

function responseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
}

function httpFailure(error: unknown, where: string, request: HttpRequest, url: URL | undefined, timeoutMs: number, secrets: Secrets): BlockFailure {
  if (error instanceof BlockFailure) return new BlockFailure(error.type, secrets.mask(error.message), error.retryable, error.retryAfterMs);
  const target = `${request.method} ${url?.pathname ?? request.path}`;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new BlockFailure('HttpTimeout', `${where}: ${target}: no complete response within ${timeoutMs} ms`, true);
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = [typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error), code && `[${code}]`]
    .filter(Boolean)
    .join(' ');
  if (cause?.message === 'bad port') {
    const port = url?.port ?? '';
    return new BlockFailure('HttpConnectionError', `${where}: ${target}: port ${port} is on the Fetch standard's list of blocked ports; serve the API on another port`, false);
  }
  const retryable = !(code && TLS_ERROR_CODE.test(code));
  return new BlockFailure('HttpConnectionError', secrets.mask(`${where}: ${target}: ${detail}`), retryable);
}
