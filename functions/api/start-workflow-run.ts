/**
 * POST /v1/workflows/{name}/runs: validates the trigger data, starts the run
 * (async: answers at once; sync: waits for the response block) and turns
 * the outcome into the HTTP answer.
 */
import { checkTriggerData } from '../../shared/definition/index.ts';
import { HttpError } from '../../shared/errors/index.ts';
import { runEnding, runStatus, startRun, startRunSync, storeRunIdOf, type StartRunOptions } from '../../shared/runs/index.ts';
import { responseHeaderProblem, storeKeys, TRANSPORT_HEADERS } from '../../shared/contract/index.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import type { ApiDeps } from './deps.ts';
import { runLinks } from './present.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Serialised as JSON; undefined for an answer without a body. */
  readonly body: unknown;
}

/** Statuses whose answer has no body (the Fetch standard refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

interface StoredResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** The response block's answer, checked again at the last door: older runs were not checked when they ran. */
function responseAnswer(runId: string, blockId: string, response: StoredResponse): Answer {
  if (!Number.isInteger(response.status) || response.status < 200 || response.status > 599) {
    throw new HttpError(502, 'invalid_response', `run ${runId}: response block "${blockId}" set status ${response.status}; an answer needs 200 to 599`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (TRANSPORT_HEADERS.has(name.toLowerCase())) continue;
    const problem = responseHeaderProblem(name, value);
    if (problem) throw new HttpError(502, 'invalid_response', `run ${runId}: response block "${blockId}": headers: ${problem}`);
    headers[name] = value;
  }
  return { status: response.status, headers, body: NULL_BODY_STATUSES.has(response.status) ? undefined : response.body };
}

async function storedResponse(store: ResultStore, runId: string, blockId: string): Promise<StoredResponse> {
  const stored = await store.getJson<{ data?: StoredResponse }>(storeKeys.block(runId, blockId));
  if (!stored?.data) throw new Error(`run ${runId}: response block ${blockId} has no stored data`);
  return stored.data;
}

export async function startWorkflowRun(deps: ApiDeps, name: string, data: unknown, idempotencyKey: string | undefined): Promise<Answer> {
  const compiled = await deps.registry.find(name);
  if (!compiled) throw new HttpError(404, 'workflow_not_found', `no workflow named "${name}"`);
  const problems = checkTriggerData(compiled.definition.input, data);
  if (problems.length > 0) throw new HttpError(400, 'invalid_input', problems.join('; '));
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
    return { status: existing ? 200 : 202, headers: {}, body: { runId, status: existing ? 'existing' : 'running', links: runLinks(runId) } };
  }
  const { runId, outcome } = await startRunSync(options, http.timeoutMs);
  const runHeader = { 'baton-run-id': runId };
  if (outcome.kind === 'response') {
    const answer = responseAnswer(runId, outcome.response.blockId, await storedResponse(deps.store, runId, outcome.response.blockId));
    return { ...answer, headers: { ...answer.headers, ...runHeader } };
  }
  if (outcome.kind === 'timeout') {
    return { status: 202, headers: runHeader, body: { runId, status: 'running', links: runLinks(runId) } };
  }
  // The run ended, or a replay found it ended. A replay answers what the first call answered: the
  // response, if a response block set one (even if a later block failed the run), else the output or the failure.
  // Its close event says which (runs of older code, or one not closed yet, are asked for their status instead).
  const status = (await runEnding(deps.client, runId)) ?? (await runStatus(deps.client, runId));
  const storeRunId = storeRunIdOf(runId);
  const response = 'response' in status ? status.response : undefined;
  if (response) {
    const answer = responseAnswer(runId, response.blockId, await storedResponse(deps.store, storeRunId, response.blockId));
    return { ...answer, headers: { ...answer.headers, ...runHeader } };
  }
  if (status.status === 'running' || status.status === 'queued') {
    return { status: 202, headers: runHeader, body: { runId, status: 'running', links: runLinks(runId) } };
  }
  if (status.status === 'completed') {
    return { status: 200, headers: runHeader, body: (await deps.store.getJson(storeKeys.output(storeRunId))) ?? null };
  }
  const error = 'error' in status ? status.error : undefined;
  throw new HttpError(
    502,
    'run_failed',
    `run ${runId} ${status.status}${error ? ` at block "${error.blockId}": ${error.message}` : ''}`,
  );
}
