/**
 * What running one block means, per block type: one switch over the plan's
 * union, checked for exhaustiveness, so a new block type cannot be added
 * without saying how it runs.
 */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import type {
  BlockState,
  BranchBlockPlan,
  LoopBlockPlan,
  PlanBlock,
  RunOutputSpec,
} from '../../shared/contract/index.ts';
import { withRetries, type StepEnd } from './attempts.ts';
import { runLoop } from './loop.ts';
import type { ApprovalDesk } from './approval.ts';
import { runStepAttempt, storeActivities, type StepResult, type StepTarget } from './steps.ts';

export interface BlockRun {
  /** The block's run, scope and ids, as every step of it needs them. */
  readonly target: Omit<StepTarget, 'step'>;
  /** The block's visible state: attempts, error, branch decision, loop progress, child run. */
  readonly state: BlockState;
  /** The run's output, when this block completing would end the run (asked when its last step starts). */
  readonly finish: () => RunOutputSpec | undefined;
  readonly itemsPerBatch?: number | undefined;
  /** The run took LOCAL_ACTIVITIES_PATCH: its short steps run as local activities. */
  readonly localSteps: boolean;
  /** Where approval blocks wait for their decisions. */
  readonly approvals: ApprovalDesk;
}

export type BlockEnd = StepEnd<StepResult | null>;

/** The block's own executor call (a workflow step: and its child run), under its retry policy. */
function attempts(block: PlanBlock, run: BlockRun, finish?: RunOutputSpec): Promise<StepEnd<StepResult>> {
  const { state } = run;
  return withRetries(block.retry, state, (attempt) =>
    runStepAttempt({ ...run.target, step: block, ...(finish ? { finish } : {}), onChild: (id) => void (state.childRunId = id) }, attempt, run.localSteps),
  );
}

async function runWait(durationMs: number): Promise<BlockEnd> {
  try {
    await sleep(durationMs);
    return { status: 'completed', value: null };
  } catch {
    return { status: 'cancelled' };
  }
}

async function runBranch(block: BranchBlockPlan, run: BlockRun): Promise<BlockEnd> {
  const end = await attempts(block, run);
  const decision = end.status === 'completed' ? end.value.decision : undefined;
  if (decision && 'taken' in decision) run.state.taken = decision.taken;
  return end;
}

/** The loop's executor call gives the item count; then the items run, and collectLoop assembles their data. */
async function runLoopBlock(block: LoopBlockPlan, run: BlockRun): Promise<BlockEnd> {
  const { state, target } = run;
  const end = await attempts(block, run);
  if (end.status !== 'completed') return end;
  const decision = end.value.decision;
  const count = decision && 'items' in decision ? decision.items : 0;
  state.items = { total: count, completed: 0, failed: 0 };
  const outcome = await runLoop({ ...target, step: block.body }, count, block.concurrency, state.items, run.localSteps, run.itemsPerBatch);
  if (outcome.cancelled) return { status: 'cancelled' };
  if (outcome.failure) {
    const error = { type: outcome.failure.error.type, message: `item ${outcome.failure.index}: ${outcome.failure.error.message}` };
    state.error = error;
    return { status: 'failed', error };
  }
  const finish = run.finish();
  return {
    status: 'completed',
    value: await storeActivities(run.localSteps).collectLoop({ runId: target.runId, blockId: block.id, count, ...(finish ? { finish } : {}) }),
  };
}

export async function executeBlock(block: PlanBlock, run: BlockRun): Promise<BlockEnd> {
  switch (block.type) {
    case 'wait':
      return runWait(block.durationMs);
    case 'code':
    case 'query':
    case 'http':
    case 'response':
      // The executor call is the whole step, so its executor can write the run's output.
      return attempts(block, run, run.finish());
    case 'workflow':
      // The child run, not this step's executor call, produces the data: the run writes the output itself.
      return attempts(block, run);
    case 'branch':
      return runBranch(block, run);
    case 'loop':
      return runLoopBlock(block, run);
    case 'approval':
      return run.approvals.wait(block, run.state, run.target.runId, run.target.workflow);
    default:
      return unknownBlock(block);
  }
}

/** Reached only by a plan from a newer compiler than this worker: the run fails, it is not retried. */
function unknownBlock(block: never): never {
  const { id, type } = block as { id: string; type: string };
  throw ApplicationFailure.nonRetryable(`block "${id}" has a type this worker does not run: ${type}`, 'PlanError');
}
