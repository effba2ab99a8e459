/** Lambda entry point of the API, behind an API Gateway HTTP API (payload format 2.0). */
import { resolve } from 'node:path';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { loadSecretRefs } from '../../shared/secrets/secret-refs.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { openResultStore } from '../../shared/store/index.ts';
import { handleApiRequest, type ApiDeps } from './app.ts';
import { loadUiAssetsIfBuilt } from './ui-assets.ts';
import { directoryRegistry } from '../../shared/definition/index.ts';

interface HttpApiEvent {
  rawPath?: string;
  rawQueryString?: string;
  requestContext?: { http?: { method?: string } };
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

let deps: Promise<ApiDeps> | undefined;

async function createDeps(): Promise<ApiDeps> {
  await loadSecretRefs();
  const config = loadConfig(process.env);
  return {
    client: await connectClient(process.env, config),
    store: openResultStore(config.resultsUrl, config.keyRing),
    taskQueue: config.taskQueue,
    registry: directoryRegistry(resolve(process.env.BATON_WORKFLOWS_DIR ?? 'workflows')),
    checkApiKey: apiKeyCheckFromEnv(process.env),
    ui: loadUiAssetsIfBuilt(resolve(process.env.BATON_UI_DIR ?? 'ui-dist')),
  };
}

export async function handler(event: HttpApiEvent) {
  deps ??= createDeps();
  deps.catch(() => {
    deps = undefined;
  });
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const response = await handleApiRequest(await deps, {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '/',
    query: Object.fromEntries(new URLSearchParams(event.rawQueryString ?? '')),
    headers,
    body,
  });
  return {
    statusCode: response.status,
    headers: { 'content-type': 'application/json', ...response.headers },
    body: response.raw ? String(response.body) : JSON.stringify(response.body),
  };
}
