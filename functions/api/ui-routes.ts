/**
 * The routes the run viewer (/ui/) reads besides the run and block answers:
 * the workflows with their triggers, schedules and last runs; a workflow's
 * runs a page at a time, filtered by status; a run's block graph, trigger
 * (the output has its own route in app.ts). app.ts binds them to routes.ts.
 */
import { storeKeys } from '../../shared/contract/index.ts';
import type { Definition } from '../../shared/definition/index.ts';
import { HttpError } from '../../shared/errors/index.ts';
import { listRunPage, runGraph, runStatus } from '../../shared/runs/index.ts';
import { listSchedules, temporalScheduleId } from '../../shared/schedules/index.ts';
import type { ApiDeps } from './deps.ts';
import type { RunPlanSchema, RunTriggerSchema, WorkflowSchema } from './schemas.ts';
import type { z } from '@hono/zod-openapi';

export type WorkflowView = z.infer<typeof WorkflowSchema>;
export type RunPlanView = z.infer<typeof RunPlanSchema>;
export type RunTriggerView = z.infer<typeof RunTriggerSchema>;

/** Runs shown per workflow on the workflows page. */
const LAST_RUNS = 5;

export async function listWorkflows(deps: ApiDeps): Promise<{ workflows: WorkflowView[] }> {
  const [definitions, schedules] = await Promise.all([deps.registry.list(), listSchedules(deps.client, deps.taskQueue)]);
  const scheduleById = new Map(schedules.map((s) => [s.id, s]));
  const workflows = await Promise.all(
    [...definitions]
      .sort((a, b) => a.definition.name.localeCompare(b.definition.name))
      .map(async ({ definition, plan }): Promise<WorkflowView> => {
        const { runs } = await listRunPage(deps.client, deps.store, { workflow: definition.name, pageSize: LAST_RUNS });
        const triggers = definition.triggers;
        return {
          name: definition.name,
          ...(plan.version !== undefined ? { version: plan.version } : {}),
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
  return { workflows };
}

export async function runPlan(deps: ApiDeps, runId: string): Promise<RunPlanView> {
  const status = await runStatus(deps.client, runId);
  const definition = await deps.store.getJson<Definition>(storeKeys.definition(status.definitionHash));
  if (!definition) throw new HttpError(404, 'definition_not_found', `run "${runId}": its definition ${status.definitionHash} is no longer stored`);
  return { runId, definitionHash: status.definitionHash, ...runGraph(definition) };
}

/** What started the run and with which data: the form of a rerun starts from it. */
export async function runTrigger(deps: ApiDeps, runId: string): Promise<RunTriggerView> {
  const status = await runStatus(deps.client, runId);
  const stored = await deps.store.getJson<{ type?: string; data?: unknown; rerunOf?: string; fromBlock?: string }>(storeKeys.trigger(status.runId));
  if (!stored) throw new HttpError(404, 'trigger_not_found', `run "${runId}" has no stored trigger yet`);
  return {
    runId,
    type: stored.type ?? 'unknown',
    data: stored.data ?? null,
    ...(stored.rerunOf ? { rerunOf: stored.rerunOf } : {}),
    ...(stored.fromBlock ? { fromBlock: stored.fromBlock } : {}),
  };
}

