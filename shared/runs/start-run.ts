/**
 * Starting a run, the same for the CLI, the API and (later) schedules: the
 * definition and the trigger data go to the result store, and Temporal gets
 * only the plan and the run id.
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CompiledDefinition } from '../definition/index.ts';
import { storeKeys, type ResultStore } from '../store/index.ts';
import type { batonRun } from '../../worker/workflows/index.ts';

export type RunHandle = WorkflowHandle<typeof batonRun>;

export interface TriggerData {
  readonly type: 'manual' | 'http' | 'schedule';
  readonly data: unknown;
}

/** Sortable by start time, unique, and safe in store keys and workflow ids. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}

export async function startRun(options: {
  client: Client;
  store: ResultStore;
  taskQueue: string;
  compiled: CompiledDefinition;
  trigger: TriggerData;
  runId?: string;
}): Promise<{ runId: string; handle: RunHandle }> {
  const { compiled } = options;
  const runId = options.runId ?? newRunId();
  await Promise.all([
    options.store.putJson(storeKeys.definition(compiled.hash), compiled.definition),
    options.store.putJson(storeKeys.trigger(runId), options.trigger),
  ]);
  const handle = await options.client.workflow.start<typeof batonRun>('batonRun', {
    workflowId: runId,
    taskQueue: options.taskQueue,
    args: [{ runId, plan: compiled.plan }],
  });
  return { runId, handle };
}
