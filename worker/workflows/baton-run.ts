/**
 * batonRun: a deterministic interpreter of a compiled plan. Temporal sees only
 * the plan (ids, types, edges, settings) and result references; code, data and
 * results stay in the result store and the executors.
 *
 * Run rules (DESIGN §3): a block runs once every predecessor has finished and
 * at least one did not skip; blocks whose predecessors all skipped are skipped;
 * ready blocks run in parallel. A block retries under its own policy (the
 * workflow counts attempts, so `context.attempt` is the user's attempt and
 * infrastructure retries never use one up). A failure without
 * `onError: continue` cancels running blocks and fails the run.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { BatonActivities, ResultRef } from '../activities/index.ts';
import type { BlockStatus, Plan, PlanBlock, RetryPlan } from '../../shared/definition/plan.ts';
import { TERMINAL_BLOCK_STATUSES, type BlockError, type BlockState, type RunState, type RunStatus } from './run-state.ts';

export interface BatonRunInput {
  /** The result-store run id; defaults to the workflow id. */
  readonly runId?: string;
  readonly plan: Plan;
}

export interface BatonRunResult {
  /** Reference to the run's output in the result store. */
  readonly output: ResultRef;
}

export const statusQuery = defineQuery<RunStatus>('status');

/** Time an executor may take beyond the block's own timeout: cold start, store reads and writes. */
const EXECUTOR_MARGIN_MS = 30_000;
const INFRASTRUCTURE_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 10,
  nonRetryableErrorTypes: ['ExecutorFatal'],
};

function activitiesFor(block: PlanBlock) {
  return proxyActivities<BatonActivities>({
    startToCloseTimeout: block.timeoutMs + EXECUTOR_MARGIN_MS,
    retry: INFRASTRUCTURE_RETRY,
  });
}

function backoffMs(retry: RetryPlan, failedAttempt: number): number {
  return Math.min(retry.initialIntervalMs * retry.backoffCoefficient ** (failedAttempt - 1), retry.maxIntervalMs);
}

/** An infrastructure failure whose retries are spent (or that cannot be retried): the block fails. */
function describeInfrastructureFailure(error: unknown): BlockError {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return { message: error.cause.message, type: error.cause.type ?? 'ExecutorError' };
  }
  return { message: error instanceof Error ? error.message : String(error), type: 'ExecutorError' };
}

export async function batonRun(input: BatonRunInput): Promise<BatonRunResult> {
  const { plan } = input;
  const runId = input.runId ?? workflowInfo().workflowId;
  const states = new Map<string, BlockState>(plan.blocks.map((block) => [block.id, { status: 'pending', attempts: 0 }]));
  const running = new Map<string, { scope: CancellationScope; done: Promise<void> }>();
  const waitedFor = new Set(plan.blocks.flatMap((block) => block.after));
  let runState: RunState = 'running';
  let failure: (BlockError & { blockId: string }) | undefined;

  const stateOf = (id: string): BlockState => {
    const state = states.get(id);
    if (!state) throw ApplicationFailure.nonRetryable(`plan has no block "${id}"`, 'PlanError');
    return state;
  };

  setHandler(statusQuery, () => ({
    runId,
    workflow: plan.name,
    definitionHash: plan.hash,
    status: runState,
    ...(failure ? { error: failure } : {}),
    blocks: Object.fromEntries([...states].map(([id, state]) => [id, { ...state }])),
  }));

  function failRun(blockId: string, error: BlockError): void {
    if (failure) return;
    failure = { blockId, ...error };
    for (const [id, entry] of running) if (id !== blockId) entry.scope.cancel();
  }

  async function executeBlock(block: PlanBlock, state: BlockState): Promise<void> {
    state.status = 'running';
    state.startedAt = Date.now();
    const activities = activitiesFor(block);
    const scope: Record<string, BlockStatus> = {};
    for (const id of block.mentions) {
      const mentioned = states.get(id);
      if (mentioned) scope[id] = mentioned.status;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1) await sleep(backoffMs(block.retry, attempt - 1));
        state.attempts = attempt;
        const result = await activities.runBlock({
          runId,
          workflow: plan.name,
          definitionHash: plan.hash,
          blockId: block.id,
          type: block.type,
          attempt,
          timeoutMs: block.timeoutMs,
          scope,
        });
        if (result.ok) {
          state.status = 'completed';
          delete state.error;
          break;
        }
        state.error = { message: result.error.message, type: result.error.type };
        if (result.error.retryable && attempt < block.retry.maxAttempts) continue;
      } catch (error) {
        if (isCancellation(error)) {
          state.status = 'cancelled';
          break;
        }
        state.error = describeInfrastructureFailure(error);
      }
      state.status = 'failed';
      if (block.onError !== 'continue') failRun(block.id, state.error);
      break;
    }
    state.endedAt = Date.now();
  }

  function startReadyBlocks(): void {
    let changed = true;
    while (changed && !failure) {
      changed = false;
      for (const block of plan.blocks) {
        const state = stateOf(block.id);
        if (state.status !== 'pending') continue;
        const before = block.after.map((id) => stateOf(id).status);
        if (!before.every((status) => TERMINAL_BLOCK_STATUSES.has(status))) continue;
        if (before.length > 0 && before.every((status) => status === 'skipped')) {
          state.status = 'skipped';
          changed = true;
          continue;
        }
        const scope = new CancellationScope();
        const done = scope.run(() => executeBlock(block, state)).finally(() => running.delete(block.id));
        running.set(block.id, { scope, done });
      }
    }
  }

  startReadyBlocks();
  while (running.size > 0) {
    await Promise.race([...running.values()].map((entry) => entry.done));
    startReadyBlocks();
  }

  const leftOver = (status: BlockStatus) => {
    for (const state of states.values()) if (state.status === 'pending') state.status = status;
  };
  if (CancellationScope.current().consideredCancelled) {
    leftOver('cancelled');
    runState = 'cancelled';
    throw new CancelledFailure('run cancelled');
  }
  if (failure) {
    leftOver('cancelled');
    runState = 'failed';
    throw ApplicationFailure.nonRetryable(`block "${failure.blockId}" failed: ${failure.message}`, 'BlockFailed', {
      blockId: failure.blockId,
      type: failure.type,
    });
  }
  const outputBlocks = plan.blocks
    .filter((block) => !waitedFor.has(block.id) && ['completed', 'failed'].includes(stateOf(block.id).status))
    .map((block) => block.id);
  const output = await proxyActivities<BatonActivities>({
    startToCloseTimeout: '1m',
    retry: INFRASTRUCTURE_RETRY,
  }).finishRun({ runId, outputBlocks });
  runState = 'completed';
  return { output };
}
