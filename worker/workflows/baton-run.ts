/**
 * batonRun: a deterministic interpreter of a compiled plan. Temporal sees only
 * the plan (ids, types, edges, settings) and result references; code, data and
 * results stay in the result store and the executors.
 *
 * Run rules (DESIGN §3): a block runs once every predecessor has finished and
 * at least one of them completed (a branch counts as completed only for the
 * blocks on the side it took); if all were skipped, it is skipped too. Ready
 * blocks run in parallel. A block that fails after its retries, without
 * `onError: continue`, cancels the running blocks, runs the onError blocks
 * (with `error` in scope) and fails the run. The first response block to
 * complete sets the run's response, which callers can await by update.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  BLOCK_FAILED,
  TERMINAL_BLOCK_STATUSES,
  responseUpdate,
  statusQuery,
  type BatonRunInput,
  type BatonRunResult,
  type BlockError,
  type BlockState,
  type BlockStatus,
  type PlanBlock,
  type ResultRef,
  type RunError,
  type RunFailureDetails,
  type RunOutputSpec,
  type RunResponse,
  type RunState,
} from '../../shared/contract/index.ts';
import { withRetries, type StepEnd } from './attempts.ts';
import { runLoop } from './loop.ts';
import { runStepAttempt, storeActivities, type StepResult, type StepTarget } from './steps.ts';

/**
 * Steps whose executor call is the whole step, so its executor can write the
 * run's output: not branch (its cases run after it), loop (its items do; the
 * loop's collectLoop writes it instead), wait (no executor) or workflow (its
 * child run does).
 */
const FINISHED_IN_EXECUTOR: ReadonlySet<PlanBlock['type']> = new Set(['code', 'query', 'http', 'response']);

/** The patch ids batonRun may record with patched() (the encryption tests allow exactly these in clear). */
export const PATCH_IDS: readonly string[] = [];

export async function batonRun(input: BatonRunInput): Promise<BatonRunResult> {
  const { plan } = input;
  // A schedule appends its fire time (with colons) to the workflow id; store keys need a safe id.
  const runId = input.runId ?? workflowInfo().workflowId.replace(/[^A-Za-z0-9_.-]/g, '-');
  const workflows = input.workflows ?? {};
  const depth = input.depth ?? 0;
  const handlers = new Set(plan.onError);
  const blocks = new Map(plan.blocks.map((block) => [block.id, block]));
  const states = new Map<string, BlockState>(plan.blocks.map((block) => [block.id, { status: 'pending', attempts: 0 }]));
  const running = new Map<string, { scope: CancellationScope; done: Promise<void> }>();
  let runState: RunState = 'running';
  let failure: RunError | undefined;
  let response: RunResponse | undefined;
  /** The run's output, when the executor of its last step wrote it. */
  let output: ResultRef | undefined;

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
    ...(response ? { response } : {}),
    blocks: Object.fromEntries([...states].map(([id, state]) => [id, { ...state, ...(state.items ? { items: { ...state.items } } : {}) }])),
  }));
  setHandler(responseUpdate, async () => {
    await condition(() => response !== undefined || runState !== 'running');
    return response ?? null;
  });

  /** How a finished predecessor looks from one of its successors. */
  function edgeStatus(from: string, to: string): BlockStatus {
    const state = stateOf(from);
    const block = blocks.get(from);
    if (block?.type !== 'branch' || state.status !== 'completed') return state.status;
    const listed = [...(block.cases ?? []).flatMap((c) => c.then), ...(block.else ?? [])];
    if (!listed.includes(to)) return 'completed'; // a plain after-edge on the branch
    const taken = state.taken === 'else' ? (block.else ?? []) : (block.cases?.[state.taken ?? -1]?.then ?? []);
    return taken.includes(to) ? 'completed' : 'skipped';
  }

  function targetFor(block: PlanBlock, runError?: RunError): Omit<StepTarget, 'step'> {
    const scope: Record<string, BlockStatus> = {};
    for (const id of [...block.mentions, ...(block.body?.mentions ?? [])]) {
      const mentioned = states.get(id);
      if (mentioned) scope[id] = mentioned.status;
    }
    return {
      runId,
      workflow: plan.name,
      definitionHash: plan.hash,
      blockId: block.id,
      scope,
      workflows,
      depth,
      ...(runError ? { runError: { blockId: runError.blockId, message: runError.message, type: runError.type } } : {}),
    };
  }

  async function executeBlock(block: PlanBlock, state: BlockState, runError?: RunError): Promise<StepEnd<StepResult | null>> {
    const target = targetFor(block, runError);
    if (block.type === 'wait') {
      try {
        await sleep(block.durationMs ?? 0);
        return { status: 'completed', value: null };
      } catch {
        return { status: 'cancelled' };
      }
    }
    // Only a step that ends in its executor can write the run's output there.
    const finish = FINISHED_IN_EXECUTOR.has(block.type) ? finishSpec(block) : undefined;
    const end = await withRetries(block.retry, state, (attempt) =>
      runStepAttempt({ ...target, step: block, ...(finish ? { finish } : {}), onChild: (id) => void (state.childRunId = id) }, attempt),
    );
    if (end.status !== 'completed') return end;
    const decision = end.value.decision;
    if (block.type === 'branch' && decision && 'taken' in decision) state.taken = decision.taken;
    if (block.type !== 'loop' || !block.body) return end;
    const count = decision && 'items' in decision ? decision.items : 0;
    state.items = { total: count, completed: 0, failed: 0 };
    const outcome = await runLoop({ ...target, step: block.body }, count, block.concurrency ?? 1, state.items, input.itemsPerBatch);
    if (outcome.cancelled) return { status: 'cancelled' };
    if (outcome.failure) {
      const error = { type: outcome.failure.error.type, message: `item ${outcome.failure.index}: ${outcome.failure.error.message}` };
      state.error = error;
      return { status: 'failed', error };
    }
    const loopFinish = finishSpec(block);
    return {
      status: 'completed',
      value: await storeActivities.collectLoop({ runId, blockId: block.id, count, ...(loopFinish ? { finish: loopFinish } : {}) }),
    };
  }

  async function runBlock(block: PlanBlock, state: BlockState, runError?: RunError): Promise<void> {
    state.status = 'running';
    state.startedAt = Date.now();
    const end = await executeBlock(block, state, runError);
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
      await CancellationScope.nonCancellable(() =>
        storeActivities.recordFailure({ runId, blockId: block.id, error: end.error }),
      );
      if (block.onError !== 'continue' && !runError) failRun(block.id, end.error);
    }
    state.endedAt = Date.now();
  }

  function failRun(blockId: string, error: BlockError): void {
    if (failure) return;
    failure = { blockId, ...error };
    for (const [id, entry] of running) if (id !== blockId) entry.scope.cancel();
  }

  /** Starts every pending block of `group` whose predecessors have all finished; skips those whose all skipped. */
  function startReadyBlocks(group: (block: PlanBlock) => boolean, runError?: RunError): void {
    let changed = true;
    while (changed) {
      changed = false;
      if ((failure && !runError) || CancellationScope.current().consideredCancelled) return;
      for (const block of plan.blocks) {
        const state = stateOf(block.id);
        if (state.status !== 'pending' || !group(block)) continue;
        if (!block.predecessors.every((id) => TERMINAL_BLOCK_STATUSES.has(stateOf(id).status))) continue;
        const before = block.predecessors.map((id) => edgeStatus(id, block.id));
        if (before.length > 0 && before.every((status) => status === 'skipped')) {
          state.status = 'skipped';
          changed = true;
          continue;
        }
        const scope = new CancellationScope();
        const done = scope.run(() => runBlock(block, state, runError)).finally(() => running.delete(block.id));
        running.set(block.id, { scope, done });
      }
    }
  }

  async function runGroup(group: (block: PlanBlock) => boolean, runError?: RunError): Promise<void> {
    startReadyBlocks(group, runError);
    while (running.size > 0) {
      await Promise.race([...running.values()].map((entry) => entry.done));
      startReadyBlocks(group, runError);
    }
  }

  const markPending = (status: BlockStatus, group: (block: PlanBlock) => boolean) => {
    for (const block of plan.blocks) {
      const state = stateOf(block.id);
      if (state.status === 'pending' && group(block)) state.status = status;
    }
  };
  const isMain = (block: PlanBlock) => !handlers.has(block.id);
  const isHandler = (block: PlanBlock) => handlers.has(block.id);
  const waitedFor = new Set(plan.blocks.filter(isMain).flatMap((block) => block.predecessors));

  /** The run's output as things stand, or as they will once `last` completes. */
  function outputSpec(last?: PlanBlock): RunOutputSpec {
    const ended = (block: PlanBlock) => block === last || ['completed', 'failed'].includes(stateOf(block.id).status);
    const outputBlocks = plan.blocks.filter((block) => isMain(block) && !waitedFor.has(block.id) && ended(block)).map((block) => block.id);
    const responseBlock = response?.blockId ?? (last?.type === 'response' ? last.id : undefined);
    return { outputBlocks, ...(responseBlock ? { responseBlock } : {}) };
  }

  /**
   * When `block` completing would end the run (no failure, every other block
   * finished), the output the run will have: the step that runs it writes it,
   * which saves the run a finishRun step (a workflow task and an activity).
   * If the step fails instead (onError: continue), the run writes it as before.
   * Replays of runs recorded before this see no output in the reply and so
   * take the finishRun path they recorded.
   */
  function finishSpec(block: PlanBlock): RunOutputSpec | undefined {
    // onError handlers (the only blocks run with a runError) run on a failing run: it has no output.
    if (failure || !isMain(block)) return undefined;
    const othersDone = plan.blocks.every((other) => other === block || !isMain(other) || TERMINAL_BLOCK_STATUSES.has(stateOf(other.id).status));
    return othersDone ? outputSpec(block) : undefined;
  }

  if (input.schedule) {
    await storeActivities.prepareScheduledRun({ runId, definitionHash: plan.hash, scheduleId: input.schedule.id });
  }
  if (input.reuse) {
    const reused = Object.entries(input.reuse.blocks).filter(([id]) => {
      const block = blocks.get(id);
      return block !== undefined && isMain(block);
    });
    const withResults = reused.filter(([, old]) => old.status === 'completed' || old.status === 'failed').map(([id]) => id);
    await storeActivities.copyResults({ fromRunId: input.reuse.fromRunId, toRunId: runId, blockIds: withResults });
    for (const [id, old] of reused) {
      const state = stateOf(id);
      state.status = old.status;
      if (old.taken !== undefined) state.taken = old.taken;
      state.reused = true;
    }
  }
  await runGroup(isMain);

  if (CancellationScope.current().consideredCancelled) {
    markPending('cancelled', () => true);
    runState = 'cancelled';
    throw new CancelledFailure('run cancelled');
  }
  if (failure) {
    const runError = failure;
    markPending('cancelled', isMain);
    // The handlers run even though the run is failing; they see what failed as `error`.
    await runGroup(isHandler, runError);
    markPending('skipped', isHandler);
    runState = 'failed';
    await condition(allHandlersFinished);
    const details: RunFailureDetails = {
      blockId: runError.blockId,
      type: runError.type,
      rootMessage: runError.rootMessage ?? runError.message,
    };
    throw ApplicationFailure.nonRetryable(`block "${runError.blockId}" failed: ${runError.message}`, BLOCK_FAILED, details);
  }
  markPending('skipped', isHandler);
  output ??= await storeActivities.finishRun({ runId, ...outputSpec() });
  runState = 'completed';
  await condition(allHandlersFinished);
  return { output };
}
