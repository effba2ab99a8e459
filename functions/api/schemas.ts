/**
 * The API's shapes as zod schemas: they validate requests and, named with
 * `.openapi(...)`, become the components of the generated OpenAPI document
 * (openapi.ts), so the document cannot drift from what the code checks.
 */
import { z } from '@hono/zod-openapi';

const isoTime = z.string().openapi({ format: 'date-time', example: '2026-12-02T17:40:00.000Z' });

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi('Error');

export const LinksSchema = z.object({ self: z.string(), output: z.string().optional() }).openapi('Links');

export const RunStartedSchema = z.object({ runId: z.string(), status: z.string(), links: LinksSchema }).openapi('RunStarted');

export const RerunSchema = z
  .object({ runId: z.string(), rerunOf: z.string(), reused: z.array(z.string()), status: z.string(), links: LinksSchema })
  .openapi('Rerun');

export const BlockErrorSchema = z.object({ message: z.string(), type: z.string() }).openapi('BlockError');

export const BlockStateSchema = z
  .object({
    status: z.enum(['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled']),
    attempts: z.int(),
    startedAt: isoTime.optional(),
    endedAt: isoTime.optional(),
    error: BlockErrorSchema.optional(),
    taken: z.union([z.int(), z.literal('else')]).optional(),
    items: z.object({ total: z.int(), completed: z.int(), failed: z.int() }).partial().optional(),
    childRunId: z.string().optional(),
    reused: z.boolean().optional(),
  })
  .openapi('BlockState');

export const RunStatusSchema = z
  .object({
    runId: z.string(),
    workflow: z.string(),
    definitionHash: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    error: z.object({ blockId: z.string(), message: z.string(), type: z.string() }).optional(),
    response: z.object({ blockId: z.string() }).optional(),
    turn: z.int().optional().openapi({ description: "With a concurrency limit: the order the run's key granted it its slot" }),
    blocks: z.record(z.string(), BlockStateSchema),
  })
  .openapi('RunStatus');

export const BlockDetailSchema = z
  .object({
    runId: z.string(),
    blockId: z.string(),
    status: z.string(),
    data: z.unknown().optional(),
    error: BlockErrorSchema.optional(),
    logs: z.array(z.unknown()).openapi({ description: 'Log entries { level, message, at }, in order' }),
  })
  .openapi('BlockDetail');

export const RunOutputSchema = z
  .object({
    runId: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    output: z.unknown().optional(),
  })
  .openapi('RunOutput');

export const RunSummarySchema = z
  .object({ runId: z.string(), workflow: z.string(), status: z.string(), startedAt: isoTime, closedAt: isoTime.optional() })
  .openapi('RunSummary');

export const ScheduleSchema = z
  .object({
    id: z.string(),
    workflow: z.string(),
    paused: z.boolean(),
    note: z.string().optional(),
    nextRuns: z.array(isoTime),
    recentRuns: z.array(z.object({ runId: z.string(), at: isoTime })),
  })
  .openapi('Schedule');

/** The rerun body: unknown fields are typos and are refused. */
export const RerunBodySchema = z
  .strictObject({
    fromBlock: z.string().optional().openapi({ description: 'Blocks upstream of this one keep their results' }),
    data: z.unknown().optional().openapi({ description: "New trigger data; the earlier run's when absent" }),
  })
  .openapi('RerunBody');

export const MAX_IDEMPOTENCY_KEY = 256;

export const params = {
  name: z.object({ name: z.string().openapi({ description: 'The workflow name', example: 'hello' }) }),
  runId: z.object({ runId: z.string().openapi({ description: 'A run id' }) }),
  block: z.object({ runId: z.string().openapi({ description: 'A run id' }), blockId: z.string().openapi({ description: 'A block id' }) }),
  schedule: z.object({
    id: z.string().openapi({ description: 'A schedule id (baton-<workflow>-<schedule>)' }),
    action: z.enum(['pause', 'resume', 'trigger']),
  }),
};

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ type: 'integer', minimum: 1, maximum: 200 }),
});

export const startHeaders = z.object({
  'idempotency-key': z
    .string()
    .trim()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY)
    .optional()
    .openapi({ description: 'The same key returns the same run, for the namespace retention (14 days)' }),
});
