/**
 * Runs of a workflow a page at a time, for lists of thousands: Temporal
 * visibility's own page token is the cursor (sealed and bound to its query,
 * run-cursor.ts), so a page costs one visibility call however deep it is. Read raw, without the codec: ids,
 * statuses, times and the BatonWorkflow attribute are not payloads. Each
 * entry's trigger comes from the run's stored trigger record.
 */
import type { Client } from '@temporalio/client';
import { BATON_RUN, QUEUED_MEMO, storeKeys } from '../contract/index.ts';
import { RunOperationError } from '../errors/index.ts';
import type { ResultStore } from '../store/index.ts';
import { BATON_WORKFLOW_ATTRIBUTE, visibilityString } from './search-attributes.ts';
import { openCursor, sealCursor } from './run-cursor.ts';

/** Baton's names for Temporal's execution statuses, as a filter and in answers. */
export const RUN_LIST_STATUSES = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
} as const;
export type RunListStatus = keyof typeof RUN_LIST_STATUSES;

/** Temporal's WorkflowExecutionStatus enum values, in order from 1. */
const RUNNING = 1;
const STATUS_BY_ENUM: Record<number, string> = { 1: 'running', 2: 'completed', 3: 'failed', 4: 'cancelled', 5: 'terminated', 6: 'continued_as_new', 7: 'timed_out' };

export const MAX_PAGE_SIZE = 200;

export interface RunListEntry {
  readonly runId: string;
  readonly workflow: string;
  readonly status: string;
  readonly startedAt: string;
  readonly closedAt?: string;
  readonly durationMs?: number;
  /** manual, http, schedule, workflow or rerun; absent when the run has not written it yet. */
  readonly trigger?: string;
  readonly rerunOf?: string;
  /** The published version the run is on, as its start recorded it. */
  readonly version?: number;
}

export interface RunPage {
  readonly runs: RunListEntry[];
  /** Pass as `cursor` for the next page; absent on the last one. */
  readonly nextCursor?: string;
}

export interface RunPageOptions {
  readonly workflow?: string;
  readonly status?: RunListStatus;
  readonly pageSize?: number;
  readonly cursor?: string;
}

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

function toDate(ts: Timestamp): Date | undefined {
  if (!ts?.seconds) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6));
}

function keyword(payload: { data?: Uint8Array | null } | null | undefined): string {
  if (!payload?.data) return '';
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/** The store's run id for a workflow id (they differ only for scheduled runs, whose ids carry a fire time). */
export function storeRunIdOf(workflowId: string): string {
  return workflowId.replace(/[^A-Za-z0-9_.-]/g, '-');
}

async function triggerOf(store: ResultStore, workflowId: string): Promise<{ type?: string; rerunOf?: string; version?: number }> {
  try {
    const stored = await store.getJson<{ type?: unknown; rerunOf?: unknown; version?: unknown }>(storeKeys.trigger(storeRunIdOf(workflowId)));
    return {
      ...(typeof stored?.version === 'number' ? { version: stored.version } : {}),
      ...(typeof stored?.type === 'string' ? { type: stored.type } : workflowId.startsWith('run-s-') ? { type: 'schedule' } : {}),
      ...(typeof stored?.rerunOf === 'string' ? { rerunOf: stored.rerunOf } : {}),
    };
  } catch {
    // Sealed under a key this deployment no longer holds, or expired: the row still lists.
    return {};
  }
}

export async function listRunPage(client: Client, store: ResultStore, options: RunPageOptions = {}): Promise<RunPage> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), MAX_PAGE_SIZE);
  const filters = [`WorkflowType = '${BATON_RUN}'`];
  if (options.workflow !== undefined) filters.push(`${BATON_WORKFLOW_ATTRIBUTE} = ${visibilityString(options.workflow)}`);
  if (options.status !== undefined) filters.push(`ExecutionStatus = '${RUN_LIST_STATUSES[options.status]}'`);
  const query = filters.join(' AND ');
  let response;
  try {
    response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize,
      ...(options.cursor !== undefined ? { nextPageToken: await openCursor(client, query, options.cursor) } : {}),
    });
  } catch (error) {
    // A token the server cannot read (tampered, or from another query) comes back INVALID_ARGUMENT,
    // or UNKNOWN from SQL visibility, which fails to decode it; an outage is UNAVAILABLE or a deadline.
    const code = (error as { code?: number }).code;
    if (options.cursor !== undefined && (code === 2 || code === 3)) throw new RunOperationError('invalid', 'cursor is not one this API gave');
    throw error;
  }
  const executions = response.executions ?? [];
  const triggers = await Promise.all(executions.map((e) => triggerOf(store, e.execution?.workflowId ?? '')));
  const runs = executions.map((execution, index): RunListEntry => {
    const startedAt = toDate(execution.startTime) ?? new Date(0);
    const closedAt = toDate(execution.closeTime);
    const trigger = triggers[index]!;
    return {
      runId: execution.execution?.workflowId ?? '',
      workflow: keyword(execution.searchAttributes?.indexedFields?.[BATON_WORKFLOW_ATTRIBUTE]),
      // A run waiting for its concurrency slot is running to Temporal; its memo holds QUEUED_MEMO only while it waits
      // (run-limit.ts removes it when the slot comes), so the key's presence is enough, with no payload to decode.
      status: execution.status === RUNNING && execution.memo?.fields?.[QUEUED_MEMO] ? 'queued' : (STATUS_BY_ENUM[execution.status ?? 0] ?? 'unknown'),
      startedAt: startedAt.toISOString(),
      ...(closedAt ? { closedAt: closedAt.toISOString(), durationMs: closedAt.getTime() - startedAt.getTime() } : {}),
      ...(trigger.type ? { trigger: trigger.type } : {}),
      ...(trigger.rerunOf ? { rerunOf: trigger.rerunOf } : {}),
      ...(trigger.version !== undefined ? { version: trigger.version } : {}),
    };
  });
  const token = response.nextPageToken;
  return { runs, ...(token && token.length > 0 ? { nextCursor: await sealCursor(client, query, token) } : {}) };
}
