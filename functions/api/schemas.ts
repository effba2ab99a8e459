/**
 * The API's shapes as zod schemas: they validate requests and, named with
 * `.openapi(...)`, become the components of the generated OpenAPI document
 * (openapi.ts), so the document cannot drift from what the code checks.
 */
import { z } from '@hono/zod-openapi';
import { BLOCK_STATUSES } from '../../shared/contract/plan.ts';

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
    status: z.enum(BLOCK_STATUSES).openapi({ description: 'waiting: an approval block waiting for its decision' }),
    attempts: z.int(),
    startedAt: isoTime.optional(),
    endedAt: isoTime.optional(),
    error: BlockErrorSchema.optional(),
    taken: z.union([z.int(), z.literal('else')]).optional(),
    items: z.object({ total: z.int(), completed: z.int(), failed: z.int() }).partial().optional(),
    childRunId: z.string().optional(),
    reused: z.boolean().optional(),
    approval: z
      .object({
        approvers: z.array(z.string()).readonly().optional(),
        expiresAt: isoTime.optional(),
        decision: z.object({ approved: z.boolean(), by: z.string(), at: isoTime }).optional(),
      })
      .optional()
      .openapi({ description: 'An approval block: who may decide, until when, and the decision' }),
  })
  .openapi('BlockState');

export const RunStatusSchema = z
  .object({
    runId: z.string(),
    workflow: z.string(),
    definitionHash: z.string(),
    version: z.int().optional().openapi({ description: 'The published version the run started on and keeps (absent for a run of a file)' }),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    error: z.object({ blockId: z.string(), message: z.string(), type: z.string() }).optional(),
    response: z.object({ blockId: z.string() }).optional(),
    turn: z.int().optional().openapi({ description: "With a concurrency limit: the order the run's key granted it its slot" }),
    blocks: z.record(z.string(), BlockStateSchema),
    approvals: z
      .array(z.object({ blockId: z.string(), approvers: z.array(z.string()).readonly().optional(), expiresAt: isoTime.optional() }))
      .optional()
      .openapi({ description: 'The approval blocks waiting for a decision now' }),
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
  .object({
    runId: z.string(),
    workflow: z.string(),
    status: z.string(),
    startedAt: isoTime,
    closedAt: isoTime.optional(),
    durationMs: z.number().int().optional(),
    trigger: z.string().optional(),
    rerunOf: z.string().optional(),
    version: z.int().optional().openapi({ description: 'The published version the run is on' }),
  })
  .openapi('RunSummary');

/** A page of GET /v1/workflows/{name}/runs: pass nextCursor back as cursor for the next one. */
export const RunPageSchema = z
  .object({
    runs: z.array(RunSummarySchema),
    nextCursor: z.string().optional().openapi({ description: 'Absent on the last page; sealed, and good only for the same workflow and status' }),
  })
  .openapi('RunPage');

export const WorkflowScheduleSchema = z
  .object({
    id: z.string(),
    scheduleId: z.string(),
    cron: z.string(),
    timezone: z.string(),
    overlap: z.string(),
    paused: z.boolean(),
    nextRuns: z.array(isoTime),
    note: z.string().optional(),
    missing: z.boolean().optional().openapi({ description: 'Not created in Temporal yet (a worker or `baton dev` reconciles at start)' }),
  })
  .openapi('WorkflowSchedule');

export const WorkflowSchema = z
  .object({
    name: z.string(),
    version: z.int().optional().openapi({ description: 'The released version (absent for a workflow read from a directory)' }),
    description: z.string().optional(),
    blocks: z.int().openapi({ description: 'How many blocks the definition has' }),
    triggers: z.object({
      http: z.object({ mode: z.enum(['async', 'sync']), timeoutMs: z.int().optional() }),
      schedules: z.array(WorkflowScheduleSchema),
    }),
    lastRuns: z.array(RunSummarySchema).openapi({ description: 'The newest runs, newest first' }),
  })
  .openapi('Workflow');

export const RunPlanSchema = z
  .object({
    runId: z.string(),
    definitionHash: z.string(),
    workflow: z.string(),
    description: z.string().optional(),
    blocks: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        after: z.array(z.string()).readonly(),
        onError: z.literal(true).optional().openapi({ description: 'Runs only when the run fails' }),
        workflow: z.string().optional().openapi({ description: 'The child workflow (a workflow block, or a loop of them)' }),
        loop: z.object({ body: z.string(), concurrency: z.int() }).optional(),
      }),
    ),
    edges: z.array(z.object({ from: z.string(), to: z.string(), kind: z.enum(['after', 'case', 'else']), label: z.string().optional() })),
  })
  .openapi('RunPlan');

export const RunTriggerSchema = z
  .object({
    runId: z.string(),
    type: z.string().openapi({ description: 'manual, http, schedule, workflow or rerun' }),
    data: z.unknown().openapi({ description: 'The trigger data (null when there was none)' }),
    rerunOf: z.string().optional(),
    fromBlock: z.string().optional(),
  })
  .openapi('RunTrigger');

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

export const PublishedSchema = z
  .object({
    name: z.string(),
    version: z.int().openapi({ description: 'The version this content is: new (201) or the one it already was (200)' }),
    hash: z.string().openapi({ description: 'Content hash of the definition' }),
    released: z.boolean().openapi({ description: 'This call made the version the released one' }),
  })
  .openapi('Published');

export const VersionInfoSchema = z
  .object({
    name: z.string(),
    version: z.int(),
    hash: z.string(),
    publishedBy: z.string().openapi({ description: 'The API key name that published it, or bootstrap (the workflows directory)' }),
    publishedAt: isoTime,
    message: z.string().optional(),
    released: z.boolean().openapi({ description: 'This is the released version' }),
  })
  .openapi('VersionInfo');

export const VersionListSchema = z
  .object({
    name: z.string(),
    released: z.int().nullable().openapi({ description: 'The released version, null when none is' }),
    versions: z.array(VersionInfoSchema).openapi({ description: 'Oldest first' }),
  })
  .openapi('VersionList');

export const VersionDetailSchema = VersionInfoSchema.extend({
  definition: z.object({}).passthrough().openapi({ description: 'The definition, as validated (JSON)' }),
}).openapi('VersionDetail');

export const ReleaseBodySchema = z
  .strictObject({ version: z.int().min(1).openapi({ description: 'The version to make live: an older one rolls back, a newer one forward' }) })
  .openapi('ReleaseBody');

export const ReleasedSchema = z
  .object({
    name: z.string(),
    version: z.int(),
    release: z.int().openapi({ description: 'The entry of the release log this made (1, 2, ...)' }),
    releasedBy: z.string(),
    releasedAt: isoTime,
  })
  .openapi('Released');

export const MAX_MESSAGE = 500;

export const publishQuery = z.object({
  release: z.enum(['true', 'false']).optional().openapi({ description: 'false: store the version without releasing it (default true)' }),
  message: z.string().max(MAX_MESSAGE).optional().openapi({ description: 'Why: kept with the version' }),
});
/** A decision's body: unknown fields are typos and are refused. */
export const DecisionBodySchema = z
  .strictObject({
    comment: z.string().max(10_000).optional().openapi({ description: "Becomes the block's data `comment` (at most 10,000 characters)" }),
  })
  .openapi('DecisionBody');

export const DecisionSchema = z
  .object({
    runId: z.string(),
    blockId: z.string(),
    approved: z.boolean(),
    by: z.string().openapi({ description: "The API key's name, or `link` for a decision through the resume link" }),
    at: isoTime,
  })
  .openapi('Decision');

export const ApprovalSchema = z
  .object({
    runId: z.string(),
    workflow: z.string(),
    blockId: z.string(),
    runStatus: z.string(),
    status: z.enum(BLOCK_STATUSES).openapi({ description: 'waiting while a decision can be made' }),
    approvers: z.array(z.string()).readonly().optional(),
    expiresAt: isoTime.optional().openapi({ description: 'When the timeout decides (onTimeout)' }),
    decision: z.object({ approved: z.boolean(), by: z.string(), at: isoTime }).optional(),
  })
  .openapi('Approval');

export const MAX_IDEMPOTENCY_KEY = 256;

export const params = {
  name: z.object({ name: z.string().openapi({ description: 'The workflow name', example: 'hello' }) }),
  runId: z.object({ runId: z.string().openapi({ description: 'A run id' }) }),
  version: z.object({
    name: z.string().openapi({ description: 'The workflow name', example: 'hello' }),
    version: z.coerce.number().int().min(1).openapi({ type: 'integer', minimum: 1, description: 'A version number' }),
  }),
  block: z.object({ runId: z.string().openapi({ description: 'A run id' }), blockId: z.string().openapi({ description: 'A block id' }) }),
  approvalToken: z.object({ token: z.string().openapi({ description: "An approval's resume token (context.approvalUrl)" }) }),
  schedule: z.object({
    id: z.string().openapi({ description: 'A schedule id (baton-<workflow>-<schedule>)' }),
    action: z.enum(['pause', 'resume', 'trigger']),
  }),
};

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ type: 'integer', minimum: 1, maximum: 200, description: 'Runs per page (default 20)' }),
  status: z
    .enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'])
    .optional()
    .openapi({ description: 'Only runs of this status' }),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .openapi({ description: 'The nextCursor of the page before (sealed: a made-up or altered cursor, or one of another list, is refused)' }),
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
