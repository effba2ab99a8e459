/**
 * batonRun: a deterministic interpreter of a compiled plan. Temporal sees only
 * the plan (ids, types, edges, settings) and result references; code, data and
 * results stay in the result store and the executors.
 *
 * A thin shell over the run rules (run-rules.ts: when a block is ready or
 * skipped, what a failure does, how the run ends) and the output rules
 * (run-output.ts), with one switch over the block types (execute-block.ts).
 * This file holds the run's state, its query and update, the cancellation
 * scopes of the running blocks, and the order of the run's phases: rerun
 * reuse, the main blocks, the onError handlers on a failing run, the end.
 * The first response block to complete sets the run's response, which callers
 * can await by update.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  BLOCK_FAILED,
  responseUpdate,
  statusQuery,
  type BatonRunInput,
  type BatonRunResult,
  type BlockError,
  type BlockState,
  type PlanBlock,
  type ResultRef,
  type RunError,
  type RunFailureDetails,
  type RunResponse,
  type RunState,
} from '../../shared/contract/index.ts';
import { executeBlock } from './execute-block.ts';
import { finishSpec, mentionedStatuses, outputSpec, type OutputContext } from './run-output.ts';
import { failsRun, nextMoves, pendingBecomes, runEnd, type RunEnd } from './run-rules.ts';
import { LOCAL_ACTIVITIES_PATCH, storeActivities, type StepTarget } from './steps.ts';
import { waitForSlot } from './run-limit.ts';
import { openApprovalDesk, recordsOwnFailure } from './approval.ts';

/** The patch ids batonRun (and its loop batches) may record with patched() (the encryption tests allow exactly these in clear). */
export const PATCH_IDS: readonly string[] = [LOCAL_ACTIVITIES_PATCH];

export async function batonRun(input: BatonRunInput): Promise<BatonRunResult> {
  const { plan } = input;
  // Asked once, first: a run keeps the path it started on (steps.ts).
  const localSteps = patched(LOCAL_ACTIVITIES_PATCH);
  // A schedule appends its fire time (with colons) to the workflow id; store keys need a safe id.
  const runId = input.runId ?? workflowInfo().workflowId.replace(/[^A-Za-z0-9_.-]/g, '-');
  // A scheduled run's store id is its workflow id made safe for keys; approval links must name the workflow id itself.
  const workflowId = workflowInfo().workflowId !== runId ? workflowInfo().workflowId : undefined;
  const workflows = input.workflows ?? {};
  const depth = input.depth ?? 0;
  const handlers = new Set(plan.onError);
  const blocks = new Map(plan.blocks.map((block) => [block.id, block]));
  const states = new Map<string, BlockState>(plan.blocks.map((block) => [block.id, { status: 'pending', attempts: 0 }]));
  const running = new Map<string, { scope: CancellationScope; done: Promise<void> }>();
  let runState: RunState = input.limit ? 'queued' : 'running';
  /** With a concurrency limit: the order its gate let this run in. */
  let turn: number | undefined;
  let failure: RunError | undefined;
  let response: RunResponse | undefined;
  /** The run's output, when the executor of its last step wrote it. */
  let output: ResultRef | undefined;

  const stateOf = (id: string): BlockState => {
    const state = states.get(id);
    if (!state) throw ApplicationFailure.nonRetryable(`plan has no block "${id}"`, 'PlanError');
    return state;
  };
  const isMain = (block: PlanBlock) => !handlers.has(block.id);
  const isHandler = (block: PlanBlock) => handlers.has(block.id);
  const outputContext = (): OutputContext => ({ plan: plan.blocks, isMain, stateOf, responseBlock: response?.blockId });

  setHandler(statusQuery, () => ({
    runId,
    workflow: plan.name,
    definitionHash: plan.hash,
    ...(plan.version !== undefined ? { version: plan.version } : {}),
    status: runState,
    ...(failure ? { error: failure } : {}),
    ...(response ? { response } : {}),
    ...(turn !== undefined ? { turn } : {}),
    blocks: Object.fromEntries(
      [...states].map(([id, state]) => [
        id,
        { ...state, ...(state.items ? { items: { ...state.items } } : {}), ...(state.approval ? { approval: { ...state.approval } } : {}) },
      ]),
    ),
  }));
  const approvals = openApprovalDesk(blocks, (id) => states.get(id), localSteps);
  setHandler(responseUpdate, async () => {
    await condition(() => response !== undefined || (runState !== 'running' && runState !== 'queued'));
    return response ?? null;
  });

  function targetFor(block: PlanBlock, runError?: RunError): Omit<StepTarget, 'step'> {
    return {
      runId,
      workflow: plan.name,
      definitionHash: plan.hash,
      blockId: block.id,
      scope: mentionedStatuses(block, (id) => states.get(id)?.status),
      workflows,
      depth,
      ...(workflowId !== undefined ? { workflowId } : {}),
      ...(runError ? { runError: { blockId: runError.blockId, message: runError.message, type: runError.type } } : {}),
    };
  }

  async function runBlock(block: PlanBlock, state: BlockState, runError?: RunError): Promise<void> {
    state.status = 'running';
    state.startedAt = Date.now();
    const end = await executeBlock(block, {
      target: targetFor(block, runError),
      state,
      finish: () => finishSpec(outputContext(), block, failure !== undefined),
      itemsPerBatch: input.itemsPerBatch,
      localSteps,
      approvals,
    });
    if (end.status === 'completed') {
      state.status = 'completed';
      if (end.value?.output) output = end.value.output;
      if (block.type === 'response' && !response) response = { blockId: block.id };
    } else if (end.status === 'cancelled') {
      state.status = 'cancelled';
    } else {
      state.status = 'failed';
      state.error = end.error;
      // With onError: continue the block's data is { error }; the executor may not have stored it.
      if (!recordsOwnFailure(block, end.error)) {
        await CancellationScope.nonCancellable(() =>
          storeActivities(localSteps).recordFailure({ runId, blockId: block.id, error: end.error }),
        );
      }
      if (failsRun(block, runError !== undefined)) failRun(block.id, end.error);
    }
    state.endedAt = Date.now();
  }

  function failRun(blockId: string, error: BlockError): void {
    if (failure) return;
    failure = { blockId, ...error };
    for (const [id, entry] of running) if (id !== blockId) entry.scope.cancel();
  }

  /** Applies the rules' next moves: skips what they skip, starts what they start, each in a scope of its own. */
  function startReadyBlocks(group: (block: PlanBlock) => boolean, runError?: RunError): void {
    // Nothing new starts on a failing run (but its handlers) or a cancelled one.
    if ((failure && !runError) || CancellationScope.current().consideredCancelled) return;
    for (const move of nextMoves(plan.blocks, group, stateOf)) {
      if (move.kind === 'skip') {
        stateOf(move.id).status = 'skipped';
        continue;
      }
      const { block } = move;
      const scope = new CancellationScope();
      const done = scope.run(() => runBlock(block, stateOf(block.id), runError)).finally(() => running.delete(block.id));
      running.set(block.id, { scope, done });
    }
  }

  async function runGroup(group: (block: PlanBlock) => boolean, runError?: RunError): Promise<void> {
    startReadyBlocks(group, runError);
    while (running.size > 0) {
      await Promise.race([...running.values()].map((entry) => entry.done));
      startReadyBlocks(group, runError);
    }
  }

  function settlePending(end: RunEnd, group: (block: PlanBlock) => boolean): void {
    for (const block of plan.blocks) {
      const state = stateOf(block.id);
      const becomes = pendingBecomes(end, isHandler(block));
      if (state.status === 'pending' && group(block) && becomes) state.status = becomes;
    }
  }

  if (input.limit) {
    const slot = await waitForSlot(input.limit, plan.name);
    if (slot === 'cancelled') {
      settlePending('cancelled', () => true);
      runState = 'cancelled';
      throw new CancelledFailure('run cancelled while queued');
    }
    turn = slot.turn;
    runState = 'running';
  }
  if (input.schedule) {
    await storeActivities(localSteps).prepareScheduledRun({
      runId,
      definitionHash: plan.hash,
      scheduleId: input.schedule.id,
      ...(plan.version !== undefined ? { version: plan.version } : {}),
    });
  }
  if (input.reuse) {
    const reused = Object.entries(input.reuse.blocks).filter(([id]) => {
      const block = blocks.get(id);
      return block !== undefined && isMain(block);
    });
    const withResults = reused.filter(([, old]) => old.status === 'completed' || old.status === 'failed').map(([id]) => id);
    await storeActivities(localSteps).copyResults({ fromRunId: input.reuse.fromRunId, toRunId: runId, blockIds: withResults });
    for (const [id, old] of reused) {
      const state = stateOf(id);
      state.status = old.status;
      if (old.taken !== undefined) state.taken = old.taken;
      state.reused = true;
    }
  }
  await runGroup(isMain);

  switch (runEnd(CancellationScope.current().consideredCancelled, failure !== undefined)) {
    case 'cancelled':
      settlePending('cancelled', () => true);
      runState = 'cancelled';
      throw new CancelledFailure('run cancelled');
    case 'failed': {
      const runError = failure!;
      settlePending('failed', isMain);
      // The handlers run even though the run is failing; they see what failed as `error`.
      await runGroup(isHandler, runError);
      settlePending('failed', isHandler);
      runState = 'failed';
      await condition(allHandlersFinished);
      const details: RunFailureDetails = {
        blockId: runError.blockId,
        type: runError.type,
        rootMessage: runError.rootMessage ?? runError.message,
        message: runError.message,
        responseKnown: true,
        ...(response ? { response } : {}),
      };
      // The SDK's own "Workflow failed" line reaches the worker's log without the failure's type or details
      // (and the logger drops its message, which is the user's): this line says which block, in ids and codes.
      log.warn('Run failed', { blockId: runError.blockId, blockType: blocks.get(runError.blockId)?.type, blockErrorType: runError.type });
      throw ApplicationFailure.nonRetryable(`block "${runError.blockId}" failed: ${runError.message}`, BLOCK_FAILED, details);
    }
    case 'completed':
      settlePending('completed', isHandler);
      output ??= await storeActivities(localSteps).finishRun({ runId, ...outputSpec(outputContext()) });
      runState = 'completed';
      await condition(allHandlersFinished);
      return { output, responseKnown: true, ...(response ? { response } : {}) };
  }
}
