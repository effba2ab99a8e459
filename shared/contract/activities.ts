/**
 * The activities batonRun calls, as the workflow sees them: inputs and
 * outputs are orchestration data only (ids, statuses, references). The
 * worker implements this interface (worker/activities); workflow code
 * proxies it. Pure types.
 */
import type { BlockStatus, PlanBlockType } from './plan.ts';
import type { BlockReply, ResultRef, RunOutputSpec } from './envelope.ts';

export interface RunBlockInput {
  readonly runId: string;
  /** The run's Temporal workflow id, when it is not runId (a scheduled run). */
  readonly workflowId?: string;
  readonly workflow: string;
  readonly definitionHash: string;
  readonly blockId: string;
  /** The step's type (a loop body's own type for an item): it picks the executor. */
  readonly type: PlanBlockType;
  readonly attempt: number;
  readonly timeoutMs: number;
  /** Statuses of the blocks this step mentions. */
  readonly scope: Record<string, BlockStatus>;
  /** Loop items: which one. */
  readonly item?: number;
  /** Workflow steps: the child run whose trigger the executor writes. */
  readonly childRunId?: string;
  /** onError blocks: what failed the run. */
  readonly runError?: { readonly blockId: string; readonly message: string; readonly type: string };
  /** This step completing ends the run: the executor writes the run's output too (see RunOutputSpec). */
  readonly finish?: RunOutputSpec;
}

export interface CollectLoopInput {
  readonly runId: string;
  readonly blockId: string;
  readonly count: number;
  /** The loop completing ends the run: write the run's output too. */
  readonly finish?: RunOutputSpec;
}

/** The loop's data, and the run's output when asked for it. */
export interface CollectLoopResult extends ResultRef {
  readonly output?: ResultRef;
}

export interface AdoptChildOutputInput {
  readonly runId: string;
  readonly blockId: string;
  readonly item?: number;
  readonly childRunId: string;
}

export interface RecordFailureInput {
  readonly runId: string;
  readonly blockId: string;
  readonly item?: number;
  readonly error: { readonly type: string; readonly message: string };
}

export interface RecordApprovalInput {
  readonly runId: string;
  readonly blockId: string;
  readonly approved: boolean;
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  /** The decision's comment in the store (storeKeys.approvalComment), if it has one. */
  readonly commentRef?: string;
  /** A rejection or timeout fails the block: its data keeps the decision, beside the error. */
  readonly error?: { readonly type: string; readonly message: string };
}

export interface FinishRunInput extends RunOutputSpec {
  readonly runId: string;
}

export interface CopyResultsInput {
  readonly fromRunId: string;
  readonly toRunId: string;
  readonly blockIds: readonly string[];
}

export interface PrepareScheduledRunInput {
  readonly runId: string;
  readonly definitionHash: string;
  readonly scheduleId: string;
  /** The published version the schedule started, recorded with the trigger. */
  readonly version?: number;
}

export interface BatonActivities {
  /** One block attempt: one executor invocation. */
  runBlock(input: RunBlockInput): Promise<BlockReply>;
  collectLoop(input: CollectLoopInput): Promise<CollectLoopResult>;
  adoptChildOutput(input: AdoptChildOutputInput): Promise<ResultRef>;
  recordFailure(input: RecordFailureInput): Promise<void>;
  /** An approval's decision as the block's data `{ approved, by, at, comment }`. */
  recordApproval(input: RecordApprovalInput): Promise<ResultRef>;
  finishRun(input: FinishRunInput): Promise<ResultRef>;
  copyResults(input: CopyResultsInput): Promise<void>;
  prepareScheduledRun(input: PrepareScheduledRunInput): Promise<void>;
}
