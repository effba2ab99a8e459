/**
 * The routes the run viewer (/ui/) reads besides the run and block answers:
 * the workflows with their triggers, schedules and last runs; a workflow's
 * runs a page at a time, filtered by status; a run's block graph, trigger
 * and output. Kept apart from app.ts so they move as one piece; app.ts lists them
 * with its own routes.
 */
import { storeKeys } from '../../shared/contract/index.ts';
import type { Definition } from '../../shared/definition/index.ts';
import { HttpError } from '../../shared/errors/index.ts';
import { listRunPage, MAX_PAGE_SIZE, RUN_LIST_STATUSES, runGraph, runStatus, type RunListStatus } from '../../shared/runs/index.ts';
import { listSchedules, temporalScheduleId } from '../../shared/schedules/index.ts';
import type { ApiDeps, ApiRequest, ApiResponse } from './app.ts';

type Route = (deps: ApiDeps, request: ApiRequest, params: string[]) => Promise<ApiResponse>;

/** Runs shown per workflow on the workflows page. */
const LAST_RUNS = 5;

function pageQuery(query: Readonly<Record<string, string>> | undefined): { pageSize: number; status?: RunListStatus; cursor?: string } {
  const limitText = query?.limit;
  const pageSize = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new HttpError(400, 'invalid_limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const status = query?.status;
  if (status !== undefined && !Object.hasOwn(RUN_LIST_STATUSES, status)) {
    throw new HttpError(400, 'invalid_status', `status must be one of ${Object.keys(RUN_LIST_STATUSES).join(', ')}`);
  }
  const cursor = query?.cursor;
  return { pageSize, ...(status !== undefined ? { status: status as RunListStatus } : {}), ...(cursor ? { cursor } : {}) };
}

async function listWorkflows(deps: ApiDeps): Promise<ApiResponse> {
  const [definitions, schedules] = await Promise.all([deps.registry.list(), listSchedules(deps.client, deps.taskQueue)]);
  const scheduleById = new Map(schedules.map((s) => [s.id, s]));
  const workflows = await Promise.all(
    definitions
      .map((compiled) => compiled.definition)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (definition) => {
        const { runs } = await listRunPage(deps.client, deps.store, { workflow: definition.name, pageSize: LAST_RUNS });
        const triggers = definition.triggers;
        return {
          name: definition.name,
          ...(definition.description ? { description: definition.description } : {}),
          blocks: definition.blocks.length,
          triggers: {
            http: { mode: triggers?.http?.mode ?? 'async', ...(triggers?.http ? { timeoutMs: triggers.http.timeoutMs } : {}) },
            schedules: (triggers?.schedules ?? []).map((schedule) => {
              const id = temporalScheduleId(definition.name, schedule.id);
              const live = scheduleById.get(id);
              return {
                id: schedule.id,
                scheduleId: id,
                cron: schedule.cron,
                timezone: schedule.timezone,
                overlap: schedule.overlap,
                // Not yet reconciled (a worker or `baton dev` creates it at start): no live state.
                ...(live ? { paused: live.paused, nextRuns: live.nextRuns, ...(live.note ? { note: live.note } : {}) } : { paused: false, nextRuns: [], missing: true }),
              };
            }),
          },
          lastRuns: runs,
        };
      }),
  );
  return { status: 200, body: { workflows } };
}

async function runPlan(deps: ApiDeps, runId: string): Promise<ApiResponse> {
  const status = await runStatus(deps.client, runId);
  const definition = await deps.store.getJson<Definition>(storeKeys.definition(status.definitionHash));
  if (!definition) throw new HttpError(404, 'definition_not_found', `run "${runId}": its definition ${status.definitionHash} is no longer stored`);
  return { status: 200, body: { runId, definitionHash: status.definitionHash, ...runGraph(definition) } };
}

async function runOutput(deps: ApiDeps, runId: string): Promise<ApiResponse> {
  const status = await runStatus(deps.client, runId);
  if (status.status !== 'completed') return { status: 200, body: { runId, status: status.status } };
  return { status: 200, body: { runId, status: status.status, output: (await deps.store.getJson(storeKeys.output(status.runId))) ?? null } };
}

/** What started the run and with which data: the form of a rerun starts from it. */
async function runTrigger(deps: ApiDeps, runId: string): Promise<ApiResponse> {
  const status = await runStatus(deps.client, runId);
  const stored = await deps.store.getJson<{ type?: string; data?: unknown; rerunOf?: string; fromBlock?: string }>(storeKeys.trigger(status.runId));
  if (!stored) throw new HttpError(404, 'trigger_not_found', `run "${runId}" has no stored trigger yet`);
  return {
    status: 200,
    body: {
      runId,
      type: stored.type ?? 'unknown',
      data: stored.data ?? null,
      ...(stored.rerunOf ? { rerunOf: stored.rerunOf } : {}),
      ...(stored.fromBlock ? { fromBlock: stored.fromBlock } : {}),
    },
  };
}

export const uiApiRoutes: Array<[method: string, pattern: RegExp, route: Route]> = [
  ['GET', /^\/v1\/workflows$/, (deps) => listWorkflows(deps)],
  [
    'GET',
    /^\/v1\/workflows\/([^/]+)\/runs$/,
    async (deps, request, [name]) => ({ status: 200, body: await listRunPage(deps.client, deps.store, { workflow: name!, ...pageQuery(request.query) }) }),
  ],
  ['GET', /^\/v1\/runs\/([^/]+)\/plan$/, (deps, _request, [runId]) => runPlan(deps, runId!)],
  ['GET', /^\/v1\/runs\/([^/]+)\/output$/, (deps, _request, [runId]) => runOutput(deps, runId!)],
  ['GET', /^\/v1\/runs\/([^/]+)\/trigger$/, (deps, _request, [runId]) => runTrigger(deps, runId!)],
];
