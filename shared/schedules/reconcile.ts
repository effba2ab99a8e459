/**
 * Scheduled triggers as Temporal Schedules, reconciled from the definitions:
 * a schedule per `triggers.schedules` entry, created when missing, updated
 * when the definition changed, deleted when its definition or entry is gone.
 * Each schedule's action carries the compiled plan (no trigger data: the first
 * step of a scheduled run writes the schedule's input from the pinned
 * definition), and its workflow id ends in a hash of what it starts and of
 * the key its arguments are sealed with, which is how a sync sees that a
 * schedule is out of date, or still sealed under a key being rotated out.
 */
import { createHash } from 'node:crypto';
import { ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { canonicalJson, plansByName, resolveWorkflows, type CompiledDefinition, type Registry } from '../definition/index.ts';
import type { Schedule } from '../definition/schema.ts';
import { type ResultStore } from '../store/index.ts';
import { batonWorkflowKey } from '../runs/search-attributes.ts';
import { sealingKeyIdOf, sealingKeyIdOfPayload } from '../codec/index.ts';
import { BATON_RUN, VERSION_MEMO, WORKFLOW_TASK_TIMEOUT_MS, storeKeys, type BatonRunInput, type BatonRunWorkflow } from '../contract/index.ts';
import { ScheduleOperationError } from '../errors/index.ts';

export const SCHEDULE_PREFIX = 'baton-';

const OVERLAP = {
  skip: 'SKIP',
  buffer_one: 'BUFFER_ONE',
  buffer_all: 'BUFFER_ALL',
  cancel_other: 'CANCEL_OTHER',
  allow_all: 'ALLOW_ALL',
} as const;

export function temporalScheduleId(workflow: string, schedule: string): string {
  return `${SCHEDULE_PREFIX}${workflow}-${schedule}`;
}

interface DesiredSchedule {
  readonly id: string;
  readonly workflow: string;
  readonly schedule: Schedule;
  readonly action: ScheduleOptionsStartWorkflowAction<BatonRunWorkflow>;
}

async function desiredSchedules(
  definitions: readonly CompiledDefinition[],
  registry: Registry,
  store: ResultStore,
  taskQueue: string,
  keyId: string | undefined,
): Promise<DesiredSchedule[]> {
  const desired: DesiredSchedule[] = [];
  for (const compiled of definitions) {
    const schedules = compiled.definition.triggers?.schedules ?? [];
    if (schedules.length === 0) continue;
    const workflows = await resolveWorkflows(compiled, registry);
    await Promise.all([...workflows.values()].map((w) => store.putJson(storeKeys.definition(w.hash), w.definition)));
    for (const schedule of schedules) {
      const input: BatonRunInput = { plan: compiled.plan, workflows: plansByName(workflows), schedule: { id: schedule.id } };
      const fingerprint = createHash('sha256')
        .update(canonicalJson({ input, schedule, taskQueue, keyId: keyId ?? null }))
        .digest('hex')
        .slice(0, 12);
      const id = temporalScheduleId(compiled.definition.name, schedule.id);
      desired.push({
        id,
        workflow: compiled.definition.name,
        schedule,
        action: {
          type: 'startWorkflow',
          workflowType: BATON_RUN,
          workflowId: `run-s-${compiled.definition.name}-${schedule.id}-${fingerprint}`,
          taskQueue,
          workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT_MS,
          args: [input],
          typedSearchAttributes: [{ key: batonWorkflowKey, value: compiled.definition.name }],
          ...(compiled.plan.version !== undefined ? { memo: { [VERSION_MEMO]: compiled.plan.version } } : {}),
        },
      });
    }
  }
  return desired;
}

export interface SyncReport {
  readonly created: string[];
  readonly updated: string[];
  readonly deleted: string[];
  readonly unchanged: string[];
}

export async function syncSchedules(options: {
  client: Client;
  store: ResultStore;
  taskQueue: string;
  registry: Registry;
  definitions: readonly CompiledDefinition[];
  /** Sync only the schedules of these workflows (a release): others are neither made nor deleted. */
  only?: ReadonlySet<string>;
}): Promise<SyncReport> {
  const { client } = options;
  const keyId = sealingKeyIdOf(client.options.loadedDataConverter);
  const { only } = options;
  const definitions = only ? options.definitions.filter((compiled) => only.has(compiled.definition.name)) : options.definitions;
  const desired = await desiredSchedules(definitions, options.registry, options.store, options.taskQueue, keyId);
  const report: SyncReport = { created: [], updated: [], deleted: [], unchanged: [] };
  const existing = new Set(await listScheduleIds(client));
  for (const want of desired) {
    const spec = { cronExpressions: [want.schedule.cron], timezone: want.schedule.timezone };
    const policies = { overlap: OVERLAP[want.schedule.overlap] };
    existing.delete(want.id);
    const handle = client.schedule.getHandle(want.id);
    // Describe rather than trust the list (visibility lags), and without the codec: a schedule
    // sealed under a key this deployment no longer holds must still be recognised and re-made.
    const current = await describeRaw(client, want.id);
    if (!current) {
      await client.schedule.create({ scheduleId: want.id, spec, action: want.action, policies, memo: { workflow: want.workflow } });
      report.created.push(want.id);
      continue;
    }
    if (current.workflowId === want.action.workflowId && current.memoKeyId === keyId) {
      report.unchanged.push(want.id);
      continue;
    }
    // Keep the schedule's paused state and note: pausing is an operator's decision, not the definition's.
    if (current.memoKeyId === keyId) {
      await handle.update((previous) => ({ ...previous, spec, action: want.action, policies: { ...previous.policies, ...policies } }));
    } else {
      // A memo cannot be updated, so one sealed under a key being rotated out is made again under the current key.
      await handle.delete();
      await client.schedule.create({
        scheduleId: want.id,
        spec,
        action: want.action,
        policies,
        memo: { workflow: want.workflow },
        state: { paused: current.paused, ...(current.note ? { note: current.note } : {}) },
      });
    }
    report.updated.push(want.id);
  }
  for (const stale of existing) {
    // Only schedules that start runs on this deployment's task queue are ours to delete.
    const handle = client.schedule.getHandle(stale);
    try {
      const description = await describeRaw(client, stale);
      if (!description || description.taskQueue !== options.taskQueue) continue;
      if (only && !only.has(description.workflow)) continue;
      await handle.delete();
      report.deleted.push(stale);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return report;
}

export interface ScheduleSummary {
  readonly id: string;
  readonly workflow: string;
  readonly paused: boolean;
  readonly note?: string;
  readonly nextRuns: string[];
  readonly recentRuns: Array<{ readonly runId: string; readonly at: string }>;
}

function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!ts?.seconds) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/**
 * A schedule as the server describes it, read without the codec: task queue,
 * state and times are not payloads, and the workflow name is the plain
 * BatonWorkflow search attribute, so a schedule sealed under a key this
 * deployment no longer holds (or another deployment's) still lists.
 */
async function describeRaw(
  client: Client,
  id: string,
): Promise<(ScheduleSummary & { taskQueue: string; workflowId: string; memoKeyId: string | undefined }) | undefined> {
  let response;
  try {
    response = await client.workflowService.describeSchedule({ namespace: client.options.namespace, scheduleId: id });
  } catch (error) {
    if ((error as { code?: number }).code === 5) return undefined; // NOT_FOUND
    throw error;
  }
  const action = response.schedule?.action?.startWorkflow;
  const attribute = action?.searchAttributes?.indexedFields?.BatonWorkflow?.data;
  let workflow = '';
  try {
    workflow = attribute ? String(JSON.parse(Buffer.from(attribute).toString('utf8'))) : '';
  } catch {
    // not ours to read
  }
  return {
    id,
    workflow,
    taskQueue: action?.taskQueue?.name ?? '',
    workflowId: action?.workflowId ?? '',
    memoKeyId: sealingKeyIdOfPayload(response.memo?.fields?.workflow),
    paused: response.schedule?.state?.paused ?? false,
    ...(response.schedule?.state?.notes ? { note: response.schedule.state.notes } : {}),
    nextRuns: (response.info?.futureActionTimes ?? []).slice(0, 3).flatMap((t) => timestampToIso(t) ?? []),
    recentRuns: (response.info?.recentActions ?? []).slice(-5).flatMap((a) => {
      const at = timestampToIso(a.actualTime);
      const runId = a.startWorkflowResult?.workflowId;
      return at && runId ? [{ runId, at }] : [];
    }),
  };
}

/**
 * Ids of Baton's schedules, listed raw: the SDK's list decodes every entry's
 * memo, which fails for a schedule sealed under a key this deployment lacks.
 */
async function listScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listSchedules({ namespace: client.options.namespace, maximumPageSize: 500, ...(nextPageToken ? { nextPageToken } : {}) });
    for (const entry of page.schedules ?? []) if (entry.scheduleId?.startsWith(SCHEDULE_PREFIX)) ids.push(entry.scheduleId);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return ids;
}

/** Baton's schedules; with taskQueue, only those starting runs on it (one deployment's). */
export async function listSchedules(client: Client, taskQueue?: string): Promise<ScheduleSummary[]> {
  const ids = await listScheduleIds(client);
  // The list comes from visibility, which lags; each schedule's own description is current.
  const described = await Promise.all(ids.map((id) => describeRaw(client, id)));
  return described
    .filter((s) => s !== undefined && (taskQueue === undefined || s.taskQueue === taskQueue))
    .map((s) => {
      const { taskQueue: _queue, workflowId: _workflowId, memoKeyId: _memoKeyId, ...summary } = s!;
      return summary;
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Pause, resume or fire a schedule now, by its Temporal id. */
export async function controlSchedule(client: Client, id: string, action: 'pause' | 'resume' | 'trigger'): Promise<void> {
  if (!id.startsWith(SCHEDULE_PREFIX)) throw new ScheduleOperationError(`no schedule "${id}"`);
  const handle = client.schedule.getHandle(id);
  try {
    if (action === 'pause') await handle.pause('paused through Baton');
    else if (action === 'resume') await handle.unpause('resumed through Baton');
    else await handle.trigger();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new ScheduleOperationError(`no schedule "${id}"`);
    throw error;
  }
}

/**
 * The reconcile the worker and `baton dev` do at start: from the workflows
 * directory, logged, never fatal (a broken file stops only the reconcile).
 */
export async function reconcileSchedulesAtStart(
  options: { client: Client; store: ResultStore; taskQueue: string; registry: Registry },
  log: (line: string) => void,
): Promise<void> {
  try {
    const report = await syncSchedules({ ...options, definitions: await options.registry.list() });
    const changed = [...report.created.map((id) => `+${id}`), ...report.updated.map((id) => `~${id}`), ...report.deleted.map((id) => `-${id}`)];
    log(`schedules: ${changed.length ? changed.join(' ') : 'up to date'} (${report.unchanged.length} unchanged)`);
  } catch (error) {
    log(`schedules: not reconciled: ${error instanceof Error ? error.message : String(error)}`);
  }
}
