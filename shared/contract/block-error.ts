/**
 * What a failed block says about itself: in the executor's reply, in the
 * activity's result, in the run's status and in the run's failure. One shape
 * everywhere, so the interpreter never translates between names. Pure.
 */
export interface BlockError {
  /** The error's name (TypeError, SqlError, ResultTooLarge, UnknownWorkflow, ...). */
  readonly type: string;
  readonly message: string;
  /** False when running the block again cannot help; absent once the block has ended. */
  readonly retryable?: boolean;
  /** The earliest the block may be tried again, when its source said (an HTTP 429 or 503 with Retry-After). */
  readonly retryAfterMs?: number;
  /** For a failed child run: the message of the block that failed at the bottom, so nesting does not repeat it. */
  readonly rootMessage?: string;
}

/** The block that failed a run, and why. */
export interface RunError extends BlockError {
  readonly blockId: string;
}

/** The details a failed batonRun attaches to its BlockFailed failure, for the parent run that started it. */
export interface RunFailureDetails {
  readonly blockId: string;
  readonly type: string;
  readonly rootMessage: string;
  /** The failed block's own message (a child run's failure also carries rootMessage, its innermost). */
  readonly message?: string;
  /** The response block that had answered before the run failed, so a replayed sync call can answer it again. */
  readonly response?: { readonly blockId: string };
  /** Set by runs whose details carry `response` when they have one (runs of older code lack both). */
  readonly responseKnown?: true;
}

/** The failure type a batonRun ends with when a block failed it. */
export const BLOCK_FAILED = 'BlockFailed';
