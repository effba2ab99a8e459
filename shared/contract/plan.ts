/**
 * The compiled form of a definition that Temporal sees: ids, types, edges,
 * retry and timeout settings, and which block ids each block mentions.
 * No user code, SQL or templates. Pure types: workflow code imports this.
 *
 * Blocks are a union keyed on `type`, so the interpreter's switch over them is
 * checked for exhaustiveness and each kind carries exactly its own fields.
 */

/** waiting: an approval block waiting for its decision (docs/language.md). */
export const BLOCK_STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];

export interface RetryPlan {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maxIntervalMs: number;
}

/** What every step has: a block, or a loop body standing in for one item. */
interface StepFields {
  /** Per attempt; absent for a workflow step without a limit of its own. */
  readonly timeoutMs?: number;
  readonly retry: RetryPlan;
  readonly onError: 'fail' | 'continue';
  /** Block ids (and `trigger`) the step's code or templates mention: only those results are loaded. */
  readonly mentions: readonly string[];
}

/** A step whose attempt is one executor call and nothing more. */
export interface ExecutorStepPlan extends StepFields {
  readonly type: 'code' | 'query' | 'http';
}

/** A step whose attempt is an executor call (it writes the child's trigger) and then a child run. */
export interface WorkflowStepPlan extends StepFields {
  readonly type: 'workflow';
  /** The child workflow's name. */
  readonly workflow: string;
}

/** What a loop runs per item (docs/language.md: code, query, http or workflow). */
export type LoopBodyPlan = ExecutorStepPlan | WorkflowStepPlan;

interface BlockFields extends StepFields {
  readonly id: string;
  /** Every block this one waits for: its `after` ids and the branches that list it. */
  readonly predecessors: readonly string[];
}

export interface BranchCasePlan {
  readonly then: readonly string[];
}

export interface ExecutorBlockPlan extends BlockFields {
  readonly type: 'code' | 'query' | 'http';
}
export interface ResponseBlockPlan extends BlockFields {
  readonly type: 'response';
}
export interface WorkflowBlockPlan extends BlockFields {
  readonly type: 'workflow';
  readonly workflow: string;
}
export interface BranchBlockPlan extends BlockFields {
  readonly type: 'branch';
  /** The ids each case leads to, and the else ids. */
  readonly cases: readonly BranchCasePlan[];
  readonly else: readonly string[];
}
export interface LoopBlockPlan extends BlockFields {
  readonly type: 'loop';
  /** The body run per item, and how many run at once. */
  readonly body: LoopBodyPlan;
  readonly concurrency: number;
}
export interface WaitBlockPlan extends BlockFields {
  readonly type: 'wait';
  readonly durationMs: number;
}

/** Waits in the workflow itself for a person's decision (worker/workflows/approval.ts); no executor runs it. */
export interface ApprovalBlockPlan extends BlockFields {
  readonly type: 'approval';
  /** The API key names that may decide; absent: any key. */
  readonly approvers?: readonly string[];
  /** How long it waits at most; absent: no limit. */
  readonly timeoutAfterMs?: number;
  readonly onTimeout: 'approve' | 'reject' | 'fail';
}

export type PlanBlock =
  | ApprovalBlockPlan
  | ExecutorBlockPlan
  | ResponseBlockPlan
  | WorkflowBlockPlan
  | BranchBlockPlan
  | LoopBlockPlan
  | WaitBlockPlan;
export type PlanBlockType = PlanBlock['type'];

/** What one executor call runs: a block, or a loop body for one item. */
export type StepPlan = PlanBlock | LoopBodyPlan;

export interface Plan {
  readonly name: string;
  /** Content hash of the definition: the run pins it, the executors load the bodies by it. */
  readonly hash: string;
  /** The published version this plan is (1, 2, ... per workflow); absent for a run of a file (`baton run`). */
  readonly version?: number;
  readonly blocks: readonly PlanBlock[];
  /** Blocks that run only when the run fails. */
  readonly onError: readonly string[];
}
