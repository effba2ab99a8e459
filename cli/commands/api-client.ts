/**
 * The HTTP API as the CLI's publishing commands see it: BATON_API_URL
 * (default the local `baton dev`, http://127.0.0.1:3000) and BATON_API_KEY
 * (default the first of BATON_API_KEYS, locally the key in .baton/api-key).
 * An error answer becomes an Error with the API's own code and message.
 */
import { withLocalDefaults } from '../../local/local-settings.ts';

export interface ApiClient {
  request<T>(method: string, path: string, init?: { body?: string; contentType?: string }): Promise<{ status: number; body: T }>;
}

export function apiClientFromEnv(env: Record<string, string | undefined> = process.env): ApiClient {
  const local = withLocalDefaults(env).env;
  const base = (env.BATON_API_URL?.trim() || 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const firstKey = (local.BATON_API_KEYS ?? '').split(',')[0]?.trim() ?? '';
  const key = env.BATON_API_KEY?.trim() || firstKey.replace(/^[A-Za-z0-9_.-]{1,64}:/, '');
  return {
    async request<T>(method: string, path: string, init: { body?: string; contentType?: string } = {}) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
          ...(init.body !== undefined ? { body: init.body } : {}),
        });
      } catch (error) {
        const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
        throw new Error(`cannot reach the API at ${base} (BATON_API_URL): ${reason}`, { cause: error });
      }
      const text = await response.text();
      const body = text ? (JSON.parse(text) as unknown) : null;
      if (!response.ok) {
        const failure = (body as { error?: { code?: string; message?: string } } | null)?.error;
        throw new Error(`${method} ${path}: ${response.status} ${failure?.code ?? ''}: ${failure?.message ?? text}`);
      }
      return { status: response.status, body: body as T };
    },
  };
}
