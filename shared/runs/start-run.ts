/**
 * Starting a run, the same for the CLI, the API and (later) schedules: the
 * definition and the trigger data go to the result store, and Temporal gets
 * only the plan and the run id.
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { memoryRegistry, plansByName, resolveWorkflows, type CompiledDefinition, type Registry } from '../definition/index.ts';
import { storeKeys, type ResultStore } from '../store/index.ts';
import type { batonRun } from '../../worker/workflows/index.ts';

export type RunHandle = WorkflowHandle<typeof batonRun>;

export interface TriggerData {
  readonly type: 'manual' | 'http' | 'schedule' | 'workflow';
  readonly data: unknown;
}

/** Sortable by start time, unique, and safe in store keys and workflow ids. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}

function callsWorkflows(compiled: CompiledDefinition): boolean {
  return compiled.plan.blocks.some((block) => block.type === 'workflow' || block.body?.type === 'workflow');
}

export async function startRun(options: {
  client: Client;
  store: ResultStore;
  taskQueue: string;
  compiled: CompiledDefinition;
  trigger: TriggerData;
  runId?: string;
  /** Where workflow steps find the definitions they start. */
  registry?: Registry;
  /** Loop items per child workflow batch; tests lower it to exercise batching. */
  itemsPerBatch?: number;
}): Promise<{ runId: string; handle: RunHandle }> {
  const { compiled } = options;
  const runId = options.runId ?? newRunId();
  const workflows = await resolveWorkflows(compiled, options.registry ?? memoryRegistry([]));
  await Promise.all([
    ...[...workflows.values()].map((w) => options.store.putJson(storeKeys.definition(w.hash), w.definition)),
    options.store.putJson(storeKeys.trigger(runId), options.trigger),
  ]);
  const handle = await options.client.workflow.start<typeof batonRun>('batonRun', {
    workflowId: runId,
    taskQueue: options.taskQueue,
    args: [
      {
        runId,
        plan: compiled.plan,
        ...(callsWorkflows(compiled) ? { workflows: plansByName(workflows) } : {}),
        ...(options.itemsPerBatch !== undefined ? { itemsPerBatch: options.itemsPerBatch } : {}),
      },
    ],
  });
  return { runId, handle };
}
