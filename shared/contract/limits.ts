/**
 * Every limit the parts of a run agree on, defined once. The definition
 * schema enforces them, the interpreter and the executors rely on them.
 * Pure: workflow code imports this.
 */

/** A block attempt may take at most Lambda's own ceiling. */
export const MAX_TIMEOUT_MS = 900_000;
/** A block's timeout per attempt when its definition sets none. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** A wait block waits at most a year. */
export const MAX_WAIT_MS = 365 * 24 * 3_600_000;

/** A loop's `over` may give at most this many items (docs/language.md). */
export const MAX_LOOP_ITEMS = 10_000;
export const MAX_LOOP_CONCURRENCY = 100;
/** Loop items are stored in chunks of this many, so a body reads only its own chunk. */
export const LOOP_ITEMS_PER_CHUNK = 100;
/** Up to this many loop items run inside the run's own workflow; longer loops run in child batches of this size. */
export const ITEMS_PER_BATCH = 500;

/** Workflow steps nesting deeper than this fail the run (docs/language.md). */
export const MAX_WORKFLOW_DEPTH = 10;

/** A block result, a response or an HTTP body larger than this fails the block (BATON_MAX_RESULT_BYTES overrides). */
export const DEFAULT_MAX_RESULT_BYTES = 10 * 1024 * 1024;

/** Time an executor may take beyond the step's own timeout: cold start, store reads and writes. */
export const EXECUTOR_MARGIN_MS = 30_000;
/**
 * Activities heartbeat while they wait on an executor or the store, so a
 * worker that dies mid-step is noticed after this long and the step retried
 * elsewhere, not after its whole timeout.
 */
export const ACTIVITY_HEARTBEAT_TIMEOUT_MS = 10_000;
/** A Retry-After a step's source sends is honoured up to this long. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
