/** Activity inputs and outputs: orchestration data only (ids, statuses, references). Pure types. */
import type { BlockStatus } from '../../shared/definition/plan.ts';

export interface RunBlockInput {
  readonly runId: string;
  readonly workflow: string;
  readonly definitionHash: string;
  readonly blockId: string;
  readonly type: 'code';
  readonly attempt: number;
  readonly timeoutMs: number;
  /** Statuses of the blocks this block mentions. */
  readonly scope: Record<string, BlockStatus>;
}

export interface ResultRef {
  readonly ref: string;
  readonly bytes: number;
}

/** The block's outcome: a reference to its result, or its own failure (user code threw). */
export type RunBlockResult =
  | ({ readonly ok: true } & ResultRef)
  | { readonly ok: false; readonly error: { readonly type: string; readonly message: string; readonly retryable: boolean } };

export interface FinishRunInput {
  readonly runId: string;
  /** Completed blocks no other block waits for: their data is the run's output. */
  readonly outputBlocks: readonly string[];
}
