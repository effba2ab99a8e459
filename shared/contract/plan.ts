/**
 * The compiled form of a definition that Temporal sees: ids, types, edges,
 * retry and timeout settings, and which block ids each block mentions.
 * No user code, SQL or templates. Pure types: workflow code imports this.
 */

export const BLOCK_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];
export type PlanBlockType = 'code' | 'query' | 'http' | 'branch' | 'loop' | 'wait' | 'response' | 'workflow';

export interface RetryPlan {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maxIntervalMs: number;
}

/** What runs one attempt: a block, or a loop body for one item. */
export interface StepPlan {
  readonly type: PlanBlockType;
  /** Per attempt; absent for a workflow step without a limit of its own. */
  readonly timeoutMs?: number;
  readonly retry: RetryPlan;
  readonly onError: 'fail' | 'continue';
  /** Block ids (and `trigger`) the step's code or templates mention: only those results are loaded. */
  readonly mentions: readonly string[];
  /** workflow: the child workflow's name. */
  readonly workflow?: string;
}

export interface BranchCasePlan {
  readonly then: readonly string[];
}

export interface PlanBlock extends StepPlan {
  readonly id: string;
  /** Every block this one waits for: its `after` ids and the branches that list it. */
  readonly predecessors: readonly string[];
  /** branch: the ids each case leads to, and the else ids. */
  readonly cases?: readonly BranchCasePlan[];
  readonly else?: readonly string[];
  /** loop: the body run per item, and how many run at once. */
  readonly body?: StepPlan;
  readonly concurrency?: number;
  /** wait: the timer's length. */
  readonly durationMs?: number;
}

export interface Plan {
  readonly name: string;
  /** Content hash of the definition: the run pins it, the executors load the bodies by it. */
  readonly hash: string;
  readonly blocks: readonly PlanBlock[];
  /** Blocks that run only when the run fails. */
  readonly onError: readonly string[];
}
