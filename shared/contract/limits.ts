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

/**
 * A step whose attempt may take at most this long (its timeout, or the
 * default when it sets none) runs as a local activity: the worker that holds
 * the run's workflow task invokes the executor itself, and the result is
 * recorded with the task's completion, which saves the server round trips of
 * scheduling, dispatching and completing an activity. Temporal means local
 * activities for work of seconds, because one holds the workflow task: while
 * it runs, the run's other commands (timers, regular activities, child runs,
 * a response update's answer), its status query and a cancel request wait for
 * it, up to the task heartbeat (80 % of the 10 s workflow task timeout); a
 * worker that dies during one is noticed after the workflow task timeout
 * (10 s, as the heartbeat timeout of a regular step) and the step runs again
 * from the last recorded one. A step with no
 * timeout of its own is one its author expects to be quick, and nearly all
 * are milliseconds, so the default is the bound; a step given a longer
 * timeout (up to Lambda's 15 minutes) is declared long and stays a regular
 * activity, heartbeating, which frees the workflow task at once.
 */
export const LOCAL_STEP_MAX_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;
/**
 * The workflow task timeout of every run (and its loop batches). While local
 * steps run, the worker keeps the run's workflow task and completes it (a
 * workflow task heartbeat) at 80 % of this timeout; only then does the server
 * hand the run its queued status queries, updates and cancels. Measured here
 * (a plain workflow, one 9 s local activity or sixty of 200 ms): at Temporal's
 * default of 10 s a query waited 7 s; at 3 s it waits at most 2.4 s, so the
 * status of a run whose blocks are local stays live enough to watch. It is
 * also how soon a worker that died holding the task is noticed. 3 s is still
 * far above what a workflow task of a run takes (milliseconds, a replay of a
 * run's bounded history well under a second), so a busy worker does not time
 * its own tasks out.
 */
export const WORKFLOW_TASK_TIMEOUT_MS = 3_000;
/**
 * A local step's infrastructure retries (the executor or the network failed)
 * back off inside the worker only up to this long, still holding the workflow
 * task; a longer backoff becomes a durable timer, as the SDK's
 * localRetryThreshold does, so a flapping executor holds no task for long.
 */
export const LOCAL_RETRY_THRESHOLD_MS = 2_000;
