/**
 * The compiled form of a definition that Temporal sees: ids, types, edges,
 * retry and timeout settings, and which block ids each block mentions.
 * No user code, SQL or templates. Pure types: workflow code imports this.
 */

export const BLOCK_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];

export interface RetryPlan {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maxIntervalMs: number;
}

export interface PlanBlock {
  readonly id: string;
  readonly type: 'code';
  readonly after: readonly string[];
  readonly timeoutMs: number;
  readonly retry: RetryPlan;
  readonly onError: 'fail' | 'continue';
  /** Block ids (and `trigger`) the block's code mentions: only those results are loaded. */
  readonly mentions: readonly string[];
}

export interface Plan {
  readonly name: string;
  /** Content hash of the definition: the run pins it, the executors load the bodies by it. */
  readonly hash: string;
  readonly blocks: readonly PlanBlock[];
}
