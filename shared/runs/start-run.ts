/**
 * Starting a run, the same for the CLI, the API and schedules: the
 * definition and the trigger data go to the result store, and Temporal gets
 * only the plan and the run id.
 *
 * With an idempotency key the workflow id is derived from the key, and the
 * server deduplicates in the start itself: a running run under that id is
 * joined (conflict policy USE_EXISTING) and a closed one refuses a new start
 * (reuse policy REJECT_DUPLICATE), so a key means one run for as long as
 * Temporal remembers the closed run: the namespace retention (14 days by
 * default; docs/idempotency.md). A sync start is one update-with-start, so
 * racing requests cannot slip between an existence check and a start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { memoryRegistry, plansByName, resolveWorkflows, type CompiledDefinition, type Registry } from '../definition/index.ts';
import { type ResultStore } from '../store/index.ts';
import { BATON_RUN, VERSION_MEMO, WORKFLOW_TASK_TIMEOUT_MS, storeKeys, type BatonRunInput, type BatonRunWorkflow, type RunResponse } from '../contract/index.ts';
import { batonWorkflowKey } from './search-attributes.ts';
import { enterGate, leaveGate, type GateTuning } from './run-limit.ts';
import type { RunLimit } from '../contract/index.ts';
import { canStartEagerly } from '../temporal/eager-start.ts';

export type RunHandle = WorkflowHandle<BatonRunWorkflow>;

export interface TriggerData {
  readonly type: 'manual' | 'http' | 'schedule' | 'workflow' | 'rerun';
  readonly data: unknown;
  /** Reruns: the run this one repeats, and the block it starts from. */
  readonly rerunOf?: string;
  readonly fromBlock?: string;
  /** The published version the run is on (start-run records it from the plan). */
  readonly version?: number;
}

/** Sortable by start time, unique, and safe in store keys and workflow ids. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** The run id an idempotency key stands for, per workflow. */
export function idempotentRunId(workflow: string, key: string): string {
  return `run-k-${createHash('sha256').update(workflow).update('\0').update(key).digest('hex').slice(0, 32)}`;
}

export interface StartRunOptions {
  readonly client: Client;
  readonly store: ResultStore;
  readonly taskQueue: string;
  readonly compiled: CompiledDefinition;
  readonly trigger: TriggerData;
  readonly runId?: string;
  /** The same key returns the same run instead of starting another. */
  readonly idempotencyKey?: string;
  /** Where workflow steps find the definitions they start. */
  readonly registry?: Registry;
  /** Loop items per child workflow batch; tests lower it to exercise batching. */
  readonly itemsPerBatch?: number;
  /** Rerun: blocks whose results are taken from an earlier run instead of running again. */
  readonly reuse?: BatonRunInput['reuse'];
  /** The concurrency gate's check interval and history length; tests lower them. */
  readonly gateTuning?: GateTuning;
}

export interface StartedRun {
  readonly runId: string;
  readonly handle: RunHandle;
  /** True when an idempotency key found a run that was already there. */
  readonly existing: boolean;
  /** True when the server handed the run's first workflow task back in the start's reply (canStartEagerly). */
  readonly eagerlyStarted?: boolean;
}

function callsWorkflows(compiled: CompiledDefinition): boolean {
  return compiled.plan.blocks.some((block) => block.type === 'workflow' || (block.type === 'loop' && block.body.type === 'workflow'));
}

/** Definitions each store already holds (written by this process): stored by hash, they never change. */
const storedDefinitions = new WeakMap<ResultStore, Set<string>>();

async function storeDefinition(store: ResultStore, hash: string, definition: unknown): Promise<void> {
  let stored = storedDefinitions.get(store);
  if (!stored) storedDefinitions.set(store, (stored = new Set()));
  if (stored.has(hash)) return;
  await store.putJson(storeKeys.definition(hash), definition);
  stored.add(hash);
}

/** Stores what the run reads and returns the workflow's input and start options. */
async function prepare(options: StartRunOptions, runId: string, limit: RunLimit | undefined) {
  const { compiled } = options;
  const { version } = compiled.plan;
  const workflows = await resolveWorkflows(compiled, options.registry ?? memoryRegistry([]));
  await Promise.all([
    ...[...workflows.values()].map((w) => storeDefinition(options.store, w.hash, w.definition)),
    options.store.putJson(storeKeys.trigger(runId), version !== undefined ? { ...options.trigger, version } : options.trigger),
  ]);
  const input: BatonRunInput = {
    runId,
    plan: compiled.plan,
    ...(callsWorkflows(compiled) ? { workflows: plansByName(workflows) } : {}),
    ...(options.itemsPerBatch !== undefined ? { itemsPerBatch: options.itemsPerBatch } : {}),
    ...(options.reuse ? { reuse: options.reuse } : {}),
    ...(limit ? { limit } : {}),
  };
  return {
    workflowId: runId,
    taskQueue: options.taskQueue,
    workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT_MS,
    args: [input] as [BatonRunInput],
    typedSearchAttributes: [{ key: batonWorkflowKey, value: compiled.definition.name }],
    ...(version !== undefined ? { memo: { [VERSION_MEMO]: version } } : {}),
  };
}

async function exists(handle: RunHandle): Promise<boolean> {
  try {
    await handle.describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** Enters the run in its workflow's concurrency gate, if it has one (shared/runs/run-limit.ts). */
function enterLimit(options: StartRunOptions, runId: string): Promise<RunLimit | undefined> {
  return enterGate({
    client: options.client,
    taskQueue: options.taskQueue,
    compiled: options.compiled,
    runId,
    data: options.trigger.data,
    ...(options.gateTuning ? { tuning: options.gateTuning } : {}),
  });
}

function runIdOf(options: StartRunOptions): string {
  if (options.runId) return options.runId;
  return options.idempotencyKey ? idempotentRunId(options.compiled.definition.name, options.idempotencyKey) : newRunId();
}

/** How a keyed start treats a run already under its id: join a running one, never start a second after a closed one. */
const KEYED_START = { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' } as const;

export async function startRun(options: StartRunOptions): Promise<StartedRun> {
  const runId = runIdOf(options);
  const handle = options.client.workflow.getHandle<BatonRunWorkflow>(runId);
  // A repeated key never rewrites the stored trigger of the run it found (the start below still deduplicates races).
  if (options.idempotencyKey && (await exists(handle))) return { runId, handle, existing: true };
  const limit = await enterLimit(options, runId);
  try {
    const started = await options.client.workflow.start<BatonRunWorkflow>(BATON_RUN, {
      ...(await prepare(options, runId, limit)),
      ...(options.idempotencyKey ? KEYED_START : {}),
      ...(canStartEagerly(options.client) ? { requestEagerStart: true } : {}),
    });
    return { runId, handle: started, existing: false, eagerlyStarted: started.eagerlyStarted };
  } catch (error) {
    // A racing request with the same key started it and it has already closed.
    if (options.idempotencyKey && error instanceof WorkflowExecutionAlreadyStartedError) return { runId, handle, existing: true };
    if (limit) await leaveGate(options.client, limit, runId);
    throw error;
  }
}

export type SyncOutcome =
  | { readonly kind: 'response'; readonly response: RunResponse }
  | { readonly kind: 'ended' }
  | { readonly kind: 'timeout' };

/**
 * Waits for the response of a run that is already there. A closed run refuses
 * the update: it ended. A running one may refuse it too (the server admits
 * only so many updates in flight per workflow; twenty callers on one key
 * exceed that), so a refusal while it runs is asked again after a pause.
 */
async function awaitResponse(handle: RunHandle, timeoutMs: number): Promise<SyncOutcome> {
  const deadline = Date.now() + timeoutMs;
  const ask = async (): Promise<SyncOutcome> => {
    while (Date.now() < deadline) {
      try {
        const response = await handle.executeUpdate<RunResponse | null, []>('response');
        return response ? { kind: 'response', response } : { kind: 'ended' };
      } catch {
        const running = await handle.describe().then(
          (description) => description.status.name === 'RUNNING',
          () => false,
        );
        if (!running) return { kind: 'ended' };
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    }
    return { kind: 'timeout' };
  };
  return raceTimeout(ask(), timeoutMs);
}

async function raceTimeout(outcome: Promise<SyncOutcome>, timeoutMs: number): Promise<SyncOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SyncOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a run and waits for its response in one round trip (update-with-start):
 * resolves the moment a response block completes, when the run ends without
 * one, or after timeoutMs, whichever comes first. With an idempotency key
 * the start and the wait join the run already under the key, if there is one.
 */
export async function startRunSync(options: StartRunOptions, timeoutMs: number): Promise<StartedRun & { outcome: SyncOutcome }> {
  const runId = runIdOf(options);
  const handle = options.client.workflow.getHandle<BatonRunWorkflow>(runId);
  const keyed = options.idempotencyKey !== undefined;
  // A known run: wait on it without rewriting its stored trigger. Only a shortcut: the start below deduplicates races.
  if (keyed && (await exists(handle))) return { runId, handle, existing: true, outcome: await awaitResponse(handle, timeoutMs) };
  const limit = await enterLimit(options, runId);
  try {
    const operation = new WithStartWorkflowOperation<BatonRunWorkflow>(BATON_RUN, {
      ...(await prepare(options, runId, limit)),
      ...(keyed ? KEYED_START : { workflowIdConflictPolicy: 'USE_EXISTING' as const }),
    });
    const update = options.client.workflow
      .executeUpdateWithStart<BatonRunWorkflow, RunResponse | null, []>('response', { startWorkflowOperation: operation })
      .then((response): SyncOutcome => (response ? { kind: 'response', response } : { kind: 'ended' }));
    return { runId, handle, existing: false, outcome: await raceTimeout(update, timeoutMs) };
  } catch (error) {
    // The key's run closed between the check above and the start: that run is the answer.
    if (keyed && isAlreadyStarted(error)) return { runId, handle, existing: true, outcome: await awaitResponse(handle, timeoutMs) };
    // The update joined the key's run as it was ending (the workflow completed before it took the
    // update): that run is still the answer, so wait on it as a replay does rather than fail the call.
    if (keyed && (await exists(handle))) return { runId, handle, existing: true, outcome: await awaitResponse(handle, timeoutMs) };
    if (limit && !(await exists(handle))) await leaveGate(options.client, limit, runId);
    throw error;
  }
}

function isAlreadyStarted(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof WorkflowExecutionAlreadyStartedError) return true;
  }
  return false;
}
