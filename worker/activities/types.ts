/** Activity inputs and outputs: orchestration data only (ids, statuses, references). Pure types. */
import type { BlockStatus, PlanBlockType } from '../../shared/definition/plan.ts';
// Type-only (erased from the workflow bundle): the executor protocol's own definitions.
import type { ResultRef, RunOutputSpec } from '../../shared/executor/protocol.ts';

export type { ResultRef, RunOutputSpec };

export interface RunBlockInput {
  readonly runId: string;
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


export type Decision = { readonly taken: number | 'else' } | { readonly items: number };

export interface StepError {
  readonly type: string;
  readonly message: string;
  readonly retryable: boolean;
  /** For a failed child run: the message of the block that failed at the bottom, so nesting does not repeat it. */
  readonly rootMessage?: string;
  /** The step's source asked to be retried no sooner (an HTTP Retry-After). */
  readonly retryAfterMs?: number;
}

/** The step's outcome: a reference to its result, or its own failure (user code threw). */
export type RunBlockResult =
  | ({ readonly ok: true; readonly decision?: Decision; readonly output?: ResultRef } & ResultRef)
  | { readonly ok: false; readonly error: StepError };

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
}
