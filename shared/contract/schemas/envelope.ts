/**
 * The executor envelope and reply as zod schemas, which the worker and the
 * executors check every message against (their types: ../envelope.ts).
 * Not for workflow code: zod stays out of the workflow bundle.
 */
import { z } from 'zod';
import { BLOCK_STATUSES } from '../plan.ts';
import type { BlockError } from '../block-error.ts';

/** What a run's output is made of (docs/language.md): the winning response's data, or `{ <id>: data }` of the output blocks. */
export const runOutputSpecSchema = z.strictObject({
  /** Completed (or failed with onError: continue) blocks no other block waits for. */
  outputBlocks: z.array(z.string().min(1)),
  /** The response block that won: its data is the output instead. */
  responseBlock: z.string().min(1).optional(),
});

/** A result-store object a step wrote: its key and its size as JSON. */
export const resultRefSchema = z.strictObject({ ref: z.string().min(1), bytes: z.int().min(0) });

export const blockEnvelopeSchema = z.strictObject({
  v: z.literal(1),
  runId: z.string().min(1),
  /** The run's Temporal workflow id, when it is not runId (a scheduled run's): approval links name it. */
  workflowId: z.string().min(1).optional(),
  workflow: z.string().min(1),
  blockId: z.string().min(1),
  definitionHash: z.string().regex(/^[0-9a-f]{32}$/),
  attempt: z.int().min(1),
  /** Epoch ms after which the result no longer matters. */
  deadline: z.int().min(0),
  /** Statuses of the blocks the body mentions (orchestration data: the worker knows them). */
  scope: z.record(z.string(), z.enum(BLOCK_STATUSES)),
  /** Loop blocks: without it the executor evaluates `over`; with it, runs the body for that item. */
  item: z.int().min(0).optional(),
  /** Workflow steps: the child run whose trigger the executor writes. */
  childRunId: z.string().min(1).optional(),
  /** onError blocks: the failure that ended the run, in scope as `error`. */
  runError: z.strictObject({ blockId: z.string(), message: z.string(), type: z.string() }).optional(),
  /**
   * Set when this step completing ends the run (every other block has
   * finished): the executor then writes the run's output too, which saves the
   * run a step of its own. The worker decides; see worker/workflows/baton-run.ts.
   */
  finish: runOutputSpecSchema.optional(),
  /** The W3C traceparent of the block attempt's span, when the worker traces: the executor continues the trace from it. */
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
});

/** A block's own failure as an executor reports it (shared/contract/block-error.ts has the one type). */
export const blockErrorSchema = z.strictObject({
  type: z.string(),
  message: z.string(),
  /** False when running the block again cannot help (a result over the size limit, say). */
  retryable: z.boolean(),
  /** The earliest the block may be tried again, when the other side said (an HTTP 429 or 503 with Retry-After). */
  retryAfterMs: z.int().min(0).optional(),
}) satisfies z.ZodType<BlockError>;

/** What branch and loop blocks decided: orchestration data the workflow acts on. */
export const decisionSchema = z.union([
  z.strictObject({ taken: z.union([z.int().min(0), z.literal('else')]) }),
  z.strictObject({ items: z.int().min(0) }),
]);

/** One block attempt's outcome: a reference to its result, or its own failure (user code threw). */
export const blockReplySchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    ref: z.string().min(1),
    bytes: z.int().min(0),
    decision: decisionSchema.optional(),
    /** The run's output, when the envelope asked for it (`finish`). */
    output: resultRefSchema.optional(),
  }),
  z.strictObject({ ok: z.literal(false), error: blockErrorSchema }),
]);

/** The wire shapes. `fatal` is an unsealed reply for when the envelope itself cannot be opened. */
export const invocationSchema = z.strictObject({ v: z.literal(1), enc: z.string().min(1) });
export const wireReplySchema = z.union([
  z.strictObject({ v: z.literal(1), enc: z.string().min(1) }),
  z.strictObject({ v: z.literal(1), fatal: z.strictObject({ type: z.string(), message: z.string() }) }),
]);
