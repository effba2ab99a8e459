/**
 * The HTTP API (DESIGN §4), independent of how requests arrive: API Gateway
 * events in AWS, a Node server locally. Every error is JSON.
 */
import type { Client } from '@temporalio/client';
import type { ApiKeyCheck } from '../../shared/auth/api-keys.ts';
import { startRun } from '../../shared/runs/index.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import type { RunStatus } from '../../worker/workflows/index.ts';
import { HttpError } from './http-error.ts';
import type { Registry } from '../../shared/definition/index.ts';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

export interface ApiDeps {
  readonly client: Client;
  readonly store: ResultStore;
  readonly taskQueue: string;
  readonly registry: Registry;
  readonly checkApiKey: ApiKeyCheck;
}

export const MAX_BODY_BYTES = 1024 * 1024;
const RUN_ID = /^[A-Za-z0-9_.-]{1,200}$/;

function parseBody(request: ApiRequest): unknown {
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

async function startWorkflowRun(deps: ApiDeps, name: string, request: ApiRequest): Promise<ApiResponse> {
  const compiled = await deps.registry.find(name);
  if (!compiled) throw new HttpError(404, 'workflow_not_found', `no workflow named "${name}"`);
  const data = parseBody(request);
  const { runId } = await startRun({
    client: deps.client,
    store: deps.store,
    taskQueue: deps.taskQueue,
    compiled,
    trigger: { type: 'http', data },
    registry: deps.registry,
  });
  return { status: 202, body: { runId, status: 'running', links: { self: `/v1/runs/${runId}` } } };
}

async function getRun(deps: ApiDeps, runId: string): Promise<ApiResponse> {
  if (!RUN_ID.test(runId)) throw new HttpError(404, 'run_not_found', `no run "${runId}"`);
  const handle = deps.client.workflow.getHandle(runId);
  try {
    const status = await handle.query<RunStatus>('status');
    return { status: 200, body: status };
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError') throw new HttpError(404, 'run_not_found', `no run "${runId}"`);
    throw error;
  }
}

export async function handleApiRequest(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  try {
    const path = request.path.replace(/\/+$/, '') || '/';
    if (request.method === 'GET' && path === '/v1/health') return { status: 200, body: { ok: true } };
    if (!deps.checkApiKey(request.headers.authorization)) {
      throw new HttpError(401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
    }
    const startRoute = /^\/v1\/workflows\/([^/]+)\/runs$/.exec(path);
    if (startRoute?.[1] && request.method === 'POST') return await startWorkflowRun(deps, decodeURIComponent(startRoute[1]), request);
    const runRoute = /^\/v1\/runs\/([^/]+)$/.exec(path);
    if (runRoute?.[1] && request.method === 'GET') return await getRun(deps, decodeURIComponent(runRoute[1]));
    throw new HttpError(404, 'not_found', `no route ${request.method} ${path}`);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
    console.error(`api: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
  }
}
