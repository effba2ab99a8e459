/**
 * What the API and the CLI do with runs besides starting them: read one
 * run's status, one block's data and logs, list recent runs, cancel, rerun.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ancestorsOf, predecessorsOf } from '../definition/graph.ts';
import { checkTriggerData, type Registry } from '../definition/index.ts';
import { WORKFLOW_NAME } from '../definition/schema.ts';
import { type ResultStore } from '../store/index.ts';
import { BATON_RUN, QUEUED_MEMO, statusQuery, storeKeys, type BatonRunInput, type RunStatus, type StoredBlockResult } from '../contract/index.ts';
import { RunOperationError } from '../errors/index.ts';
import { BATON_WORKFLOW_ATTRIBUTE, visibilityString } from './search-attributes.ts';
import { startRun, type StartedRun } from './start-run.ts';

/** Workflow ids of runs; a schedule's have its fire time appended (with colons). */
const RUN_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

export async function runStatus(client: Client, runId: string): Promise<RunStatus> {
  if (!RUN_ID.test(runId)) throw new RunOperationError('not_found', `no run "${runId}"`);
  try {
    return await client.workflow.getHandle(runId).query(statusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new RunOperationError('not_found', `no run "${runId}"`);
    throw error;
  }
}

export interface BlockDetail {
  readonly runId: string;
  readonly blockId: string;
  readonly status: string;
  readonly data?: unknown;
  readonly error?: { message: string; type: string };
  readonly logs: unknown[];
}

export async function blockDetail(client: Client, store: ResultStore, runId: string, blockId: string): Promise<BlockDetail> {
  const status = await runStatus(client, runId);
  // Own properties only: `constructor` or `__proto__` as a block id must not find Object's.
  const state = Object.hasOwn(status.blocks, blockId) ? status.blocks[blockId] : undefined;
  if (!state) throw new RunOperationError('not_found', `run "${runId}" has no block "${blockId}"`);
  // The store's run id: the workflow id made safe for keys (they differ only for scheduled runs).
  const storeRunId = status.runId;
  const [stored, logs] = await Promise.all([
    store.getJson<StoredBlockResult>(storeKeys.block(storeRunId, blockId)),
    store.getJson<unknown[]>(storeKeys.logs(storeRunId, blockId)),
  ]);
  return {
    runId,
    blockId,
    status: state.status,
    ...(stored && 'data' in stored ? { data: stored.data } : {}),
    ...(stored?.error ? { error: stored.error } : {}),
    logs: logs ?? [],
  };
}

export interface RunSummary {
  readonly runId: string;
  readonly workflow: string;
  readonly status: string;
  readonly startedAt: string;
  readonly closedAt?: string;
}

/** Recent runs, newest first, from Temporal visibility. */
export async function listRuns(client: Client, options: { workflow?: string; limit?: number } = {}): Promise<RunSummary[]> {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
  // No workflow has a name outside the pattern, and such a name (a NUL, say) can stall the visibility store.
  if (options.workflow !== undefined && !WORKFLOW_NAME.test(options.workflow)) return [];
  const filters = [`WorkflowType = '${BATON_RUN}'`];
  if (options.workflow !== undefined) filters.push(`${BATON_WORKFLOW_ATTRIBUTE} = ${visibilityString(options.workflow)}`);
  const runs: RunSummary[] = [];
  for await (const execution of client.workflow.list({ query: filters.join(' AND '), pageSize: limit })) {
    const workflow = execution.typedSearchAttributes.getAll().find((pair) => pair.key.name === BATON_WORKFLOW_ATTRIBUTE)?.value;
    runs.push({
      runId: execution.workflowId,
      workflow: typeof workflow === 'string' ? workflow : '',
      // A run waiting for a concurrency slot is running to Temporal; its memo says it is queued.
      status: execution.status.name === 'RUNNING' && execution.memo?.[QUEUED_MEMO] === true ? 'queued' : execution.status.name.toLowerCase(),
      startedAt: execution.startTime.toISOString(),
      ...(execution.closeTime ? { closedAt: execution.closeTime.toISOString() } : {}),
    });
    if (runs.length >= limit) break;
  }
  return runs;
}

export async function cancelRun(client: Client, runId: string): Promise<void> {
  if (!RUN_ID.test(runId)) throw new RunOperationError('not_found', `no run "${runId}"`);
  const handle = client.workflow.getHandle(runId);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new RunOperationError('not_found', `no run "${runId}"`);
    throw error;
  }
  if (description.status.name !== 'RUNNING') {
    throw new RunOperationError('conflict', `run "${runId}" has already ended (${description.status.name.toLowerCase()})`);
  }
  await handle.cancel();
}

export interface RerunOptions {
  readonly client: Client;
  readonly store: ResultStore;
  readonly taskQueue: string;
  readonly registry: Registry;
  readonly runId: string;
  /** Blocks upstream of this one keep their results; it and everything else run again. */
  readonly fromBlock?: string;
  /** New trigger data; the earlier run's when absent. */
  readonly data?: unknown;
}

/** Starts a new run on the current definition, reusing the results of every block upstream of fromBlock. */
export async function rerunRun(options: RerunOptions): Promise<StartedRun & { reused: string[] }> {
  const old = await runStatus(options.client, options.runId);
  const compiled = await options.registry.find(old.workflow);
  if (!compiled) throw new RunOperationError('conflict', `workflow "${old.workflow}" is no longer deployed`);
  let reuse: BatonRunInput['reuse'];
  const reused: string[] = [];
  if (options.fromBlock !== undefined) {
    const blocks = compiled.definition.blocks;
    if (!blocks.some((block) => block.id === options.fromBlock)) {
      throw new RunOperationError('invalid', `workflow "${old.workflow}" has no block "${options.fromBlock}"`);
    }
    const upstream = ancestorsOf(options.fromBlock, predecessorsOf(blocks));
    const entries: Record<string, { status: 'completed' | 'failed' | 'skipped'; taken?: number | 'else' }> = {};
    for (const id of upstream) {
      const state = old.blocks[id];
      if (!state || !['completed', 'failed', 'skipped'].includes(state.status)) {
        throw new RunOperationError('conflict', `block "${id}" did not finish in run "${options.runId}" (${state?.status ?? 'absent'}): rerun from it or earlier`);
      }
      entries[id] = { status: state.status as 'completed' | 'failed' | 'skipped', ...(state.taken !== undefined ? { taken: state.taken } : {}) };
      reused.push(id);
    }
    reuse = { fromRunId: old.runId, blocks: entries };
  }
  const data =
    options.data !== undefined
      ? options.data
      : ((await options.store.getJson<{ data?: unknown }>(storeKeys.trigger(old.runId)))?.data ?? null);
  // The new run is on the current definition: its data (new, or the earlier run's) must fit the current input schema.
  const problems = checkTriggerData(compiled.definition.input, data);
  if (problems.length > 0) {
    throw new RunOperationError('invalid', `${options.data !== undefined ? 'data' : `the data of run "${options.runId}"`} does not match the input schema of "${old.workflow}": ${problems.join('; ')}`);
  }
  const started = await startRun({
    client: options.client,
    store: options.store,
    taskQueue: options.taskQueue,
    compiled,
    trigger: { type: 'rerun', data, rerunOf: options.runId, ...(options.fromBlock ? { fromBlock: options.fromBlock } : {}) },
    registry: options.registry,
    ...(reuse ? { reuse } : {}),
  });
  return { ...started, reused: reused.sort() };
}
