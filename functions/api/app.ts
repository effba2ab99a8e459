/**
 * The HTTP API (DESIGN §4), independent of how requests arrive: API Gateway
 * events in AWS, a Node server locally. Every error is JSON
 * `{ error: { code, message } }`; the routes and their shapes are documented
 * in openapi.ts, which a test keeps true.
 */
import type { Client } from '@temporalio/client';
import type { ApiKeyCheck } from '../../shared/auth/api-keys.ts';
import { checkTriggerData, type Registry } from '../../shared/definition/index.ts';
import { DefinitionError, HttpError, RunOperationError, ScheduleOperationError } from '../../shared/errors/index.ts';
import { blockDetail, cancelRun, rerunRun, runStatus, startRun, startRunSync, type StartRunOptions } from '../../shared/runs/index.ts';
import { controlSchedule, listSchedules } from '../../shared/schedules/index.ts';
import { type ResultStore } from '../../shared/store/index.ts';
import { openApiDocument } from './openapi.ts';
import { isUiPath, serveUi, type UiAssets } from './ui-assets.ts';
import { uiApiRoutes } from './ui-routes.ts';
import { storeKeys } from '../../shared/contract/index.ts';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
  /** The body is a string sent as it is (the UI's files), not JSON. */
  readonly raw?: boolean;
}

export interface ApiDeps {
  readonly client: Client;
  readonly store: ResultStore;
  readonly taskQueue: string;
  readonly registry: Registry;
  readonly checkApiKey: ApiKeyCheck;
  /** The run viewer's built files, served under /ui/ (absent: /ui/ answers 404). */
  readonly ui?: UiAssets;
}

export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_IDEMPOTENCY_KEY = 256;
/** Response headers a workflow may not set: the transport owns them. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'content-type']);

function parseJson(request: ApiRequest): unknown {
  if (request.body === undefined || request.body.trim() === '') return null;
  if (Buffer.byteLength(request.body) > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `the body is over ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(request.body);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function runLinks(runId: string) {
  return { self: `/v1/runs/${runId}` };
}

async function startWorkflowRun(deps: ApiDeps, name: string, request: ApiRequest): Promise<ApiResponse> {
  const compiled = await deps.registry.find(name);
  if (!compiled) throw new HttpError(404, 'workflow_not_found', `no workflow named "${name}"`);
  const data = parseJson(request);
  const problems = checkTriggerData(compiled.definition.input, data);
  if (problems.length > 0) throw new HttpError(400, 'invalid_input', problems.join('; '));
  const idempotencyKey = request.headers['idempotency-key']?.trim();
  if (idempotencyKey !== undefined && (idempotencyKey === '' || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)) {
    throw new HttpError(400, 'invalid_idempotency_key', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`);
  }
  const options: StartRunOptions = {
    client: deps.client,
    store: deps.store,
    taskQueue: deps.taskQueue,
    compiled,
    trigger: { type: 'http', data },
    registry: deps.registry,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  const http = compiled.definition.triggers?.http;
  if (http?.mode !== 'sync') {
    const { runId, existing } = await startRun(options);
    return { status: existing ? 200 : 202, body: { runId, status: existing ? 'existing' : 'running', links: runLinks(runId) } };
  }
  const { runId, outcome, handle } = await startRunSync(options, http.timeoutMs);
  const runHeader = { 'baton-run-id': runId };
  if (outcome.kind === 'response') {
    const stored = await deps.store.getJson<{ data?: { status: number; headers: Record<string, string>; body: unknown } }>(
      storeKeys.block(runId, outcome.response.blockId),
    );
    const response = stored?.data;
    if (!response) throw new Error(`run ${runId}: response block ${outcome.response.blockId} has no stored data`);
    const headers = Object.fromEntries(Object.entries(response.headers).filter(([key]) => !RESERVED_HEADERS.has(key.toLowerCase())));
    return { status: response.status, headers: { ...headers, ...runHeader }, body: response.body };
  }
  if (outcome.kind === 'timeout') {
    return { status: 202, headers: runHeader, body: { runId, status: 'running', links: runLinks(runId) } };
  }
  // The run ended without a response block: its output, or why it failed.
  const description = await handle.describe();
  if (description.status.name === 'COMPLETED') {
    return { status: 200, headers: runHeader, body: (await deps.store.getJson(storeKeys.output(runId))) ?? null };
  }
  const status = await runStatus(deps.client, runId);
  throw new HttpError(
    502,
    'run_failed',
    `run ${runId} ${status.status}${status.error ? ` at block "${status.error.blockId}": ${status.error.message}` : ''}`,
  );
}

function parseRerunBody(request: ApiRequest): { fromBlock?: string; data?: unknown } {
  const body = parseJson(request);
  if (body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_body', 'the body must be an object { fromBlock?, data? }');
  const { fromBlock, data, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new HttpError(400, 'invalid_body', `unknown field "${unknown[0]}" (fields: fromBlock, data)`);
  if (fromBlock !== undefined && typeof fromBlock !== 'string') throw new HttpError(400, 'invalid_body', 'fromBlock must be a block id');
  return { ...(fromBlock !== undefined ? { fromBlock } : {}), ...(data !== undefined ? { data } : {}) };
}

type Route = (deps: ApiDeps, request: ApiRequest, params: string[]) => Promise<ApiResponse>;

const routes: Array<[method: string, pattern: RegExp, route: Route]> = [
  ['POST', /^\/v1\/workflows\/([^/]+)\/runs$/, (deps, request, [name]) => startWorkflowRun(deps, name!, request)],
  ['GET', /^\/v1\/runs\/([^/]+)$/, async (deps, _request, [runId]) => ({ status: 200, body: await runStatus(deps.client, runId!) })],
  [
    'GET',
    /^\/v1\/runs\/([^/]+)\/blocks\/([^/]+)$/,
    async (deps, _request, [runId, blockId]) => ({ status: 200, body: await blockDetail(deps.client, deps.store, runId!, blockId!) }),
  ],
  [
    'POST',
    /^\/v1\/runs\/([^/]+)\/cancel$/,
    async (deps, _request, [runId]) => {
      await cancelRun(deps.client, runId!);
      return { status: 202, body: { runId, status: 'cancelling', links: runLinks(runId!) } };
    },
  ],
  [
    'POST',
    /^\/v1\/runs\/([^/]+)\/rerun$/,
    async (deps, request, [runId]) => {
      const body = parseRerunBody(request);
      const started = await rerunRun({ client: deps.client, store: deps.store, taskQueue: deps.taskQueue, registry: deps.registry, runId: runId!, ...body });
      return { status: 202, body: { runId: started.runId, rerunOf: runId, reused: started.reused, status: 'running', links: runLinks(started.runId) } };
    },
  ],
  ['GET', /^\/v1\/schedules$/, async (deps) => ({ status: 200, body: { schedules: await listSchedules(deps.client, deps.taskQueue) } })],
  [
    'POST',
    /^\/v1\/schedules\/([^/]+)\/(pause|resume|trigger)$/,
    async (deps, _request, [id, action]) => {
      await controlSchedule(deps.client, id!, action as 'pause' | 'resume' | 'trigger');
      return { status: 202, body: { id, action } };
    },
  ],
  ...uiApiRoutes,
];

function decodeParams(match: RegExpExecArray): string[] {
  try {
    return match.slice(1).map((part) => decodeURIComponent(part));
  } catch {
    throw new HttpError(404, 'not_found', 'malformed path');
  }
}

export async function handleApiRequest(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  try {
    if (isUiPath(request.path)) return serveUi(deps.ui, request);
    const path = request.path.replace(/\/+$/, '') || '/';
    if (request.method === 'GET' && path === '/v1/health') return { status: 200, body: { ok: true } };
    if (request.method === 'GET' && path === '/v1/openapi.json') return { status: 200, body: openApiDocument };
    if (!deps.checkApiKey(request.headers.authorization)) {
      throw new HttpError(401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
    }
    for (const [method, pattern, route] of routes) {
      const match = pattern.exec(path);
      if (match && method === request.method) return await route(deps, request, decodeParams(match));
    }
    throw new HttpError(404, 'not_found', `no route ${request.method} ${path}`);
  } catch (error) {
    const known = toHttpError(error);
    if (known) return { status: known.status, body: { error: { code: known.code, message: known.message } } };
    console.error(`api: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
  }
}

function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof RunOperationError) {
    const status = { not_found: 404, conflict: 409, invalid: 400 }[error.reason];
    return new HttpError(status, error.reason === 'invalid' ? 'invalid_request' : error.reason, error.message);
  }
  if (error instanceof ScheduleOperationError) return new HttpError(404, 'not_found', error.message);
  if (error instanceof DefinitionError) return new HttpError(409, 'workflow_invalid', error.message);
  return undefined;
}
