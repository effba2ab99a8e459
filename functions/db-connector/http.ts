/** HTTP blocks: a request against an http resource's base URL. */
import { StepFailure } from '../../shared/executor/index.ts';
import type { Resource } from '../../shared/config/resources.ts';
import { resolveSecrets } from './secrets.ts';

export interface HttpRequest {
  readonly resourceName: string;
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, unknown> | undefined;
  readonly headers?: Record<string, unknown> | undefined;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export async function runHttp(resource: Resource, request: HttpRequest): Promise<HttpResult> {
  if (resource.type !== 'http') {
    throw new StepFailure('ResourceError', `resource "${request.resourceName}" is ${resource.type}, not http`, false);
  }
  const url = new URL(request.path.replace(/^\//, ''), resource.baseUrl.endsWith('/') ? resource.baseUrl : `${resource.baseUrl}/`);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, String(value));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(resource.headers)) headers[name.toLowerCase()] = resolveSecrets(value);
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = String(value);
  let body: string | undefined;
  if (request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD') {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers, body, signal: AbortSignal.timeout(request.timeoutMs) });
  } catch (error) {
    throw new StepFailure('HttpError', `${request.method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
  }
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429;
    throw new StepFailure('HttpError', `${request.method} ${url.pathname} answered ${response.status}`, retryable);
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed };
}
