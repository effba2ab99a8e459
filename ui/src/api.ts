/**
 * The API as the page calls it: the key from sessionStorage as a bearer
 * header (no cookies, so a page elsewhere cannot make calls in the user's
 * name), JSON in and out, errors as ApiError with the API's code and message.
 */
import type { ApiErrorBody } from './types.ts';

const KEY = 'baton.apiKey';

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearApiKey(): void {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API's root: the page lives at <root>/ui/, whatever prefix a proxy adds. */
function apiRoot(): string {
  return location.pathname.replace(/\/ui(\/.*)?$/, '');
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown, key = apiKey()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${apiRoot()}${path}`, {
    method,
    headers,
    credentials: 'omit',
    cache: 'no-store',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below by status
  }
  if (!response.ok) {
    const error = (json as ApiErrorBody | undefined)?.error;
    if (response.status === 401) onUnauthorized();
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
  }
  return json as T;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
