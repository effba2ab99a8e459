/**
 * The definition language v1 (docs/language.md) as zod schemas: one strict schema
 * per block type (unknown fields are typos, reported as such), the triggers,
 * the input JSON Schema and the run's onError handlers. Cross-field checks
 * (graph, mentions, syntax, cron) live in parse.ts and its helpers.
 */
import { z } from 'zod';
import { responseHeaderProblem } from '../contract/response-headers.ts';
import { concurrencySchema, type Concurrency } from './concurrency.ts';

export const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A JavaScript identifier without `$`, so it is also a safe result-store key segment. */
export const BLOCK_ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const BLOCK_TYPES = ['code', 'query', 'http', 'branch', 'loop', 'wait', 'response', 'workflow', 'approval'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];
export const LOOP_BODY_TYPES = ['code', 'query', 'http', 'workflow'] as const;

/** Names that cannot be block ids: they are the scope code blocks see, or JS keywords. */
export const RESERVED_IDS = new Set([
  'trigger', 'context', 'console', 'item', 'index', 'error',
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void',
  'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected',
  'public', 'await', 'async', 'undefined', 'NaN', 'Infinity', 'eval', 'arguments', 'globalThis',
]);

export const MAX_TIMEOUT_MS = 900_000; // Lambda's own ceiling
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_LOOP_ITEMS = 10_000;
export const MAX_LOOP_CONCURRENCY = 100;
export const MAX_WORKFLOW_DEPTH = 10;
export const MAX_WAIT_MS = 365 * 24 * 3_600_000;
export const ON_TIMEOUT = ['approve', 'reject', 'fail'] as const;
/** An API key's name (BATON_API_KEYS `name:key`), as approvers list it. */
export const API_KEY_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'allow_all'] as const;

const DEFAULT_RETRY = { maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 };
const retrySchema = z.strictObject({
  maxAttempts: z.int().min(1).max(100).default(DEFAULT_RETRY.maxAttempts),
  initialIntervalMs: z.int().min(0).max(3_600_000).default(DEFAULT_RETRY.initialIntervalMs),
  backoffCoefficient: z.number().min(1).max(10).default(DEFAULT_RETRY.backoffCoefficient),
  maxIntervalMs: z.int().min(0).max(3_600_000).default(DEFAULT_RETRY.maxIntervalMs),
});

const blockIdSchema = z.string().regex(BLOCK_ID, 'must be a JavaScript identifier (letters, digits, _; at most 64)');
const timeoutSchema = z.int().min(1).max(MAX_TIMEOUT_MS);
/** A JS expression; its syntax is checked separately, with line and column. */
const expressionSchema = z.string().trim().min(1, 'must not be empty');
/** Any JSON value whose strings may hold `{{ expr }}` templates. */
const templated = z.unknown();

/** Fields every step has, with or without an id (a loop body has none). */
const stepFields = {
  timeoutMs: timeoutSchema.default(DEFAULT_TIMEOUT_MS),
  retry: retrySchema.default(DEFAULT_RETRY),
  onError: z.enum(['fail', 'continue']).default('fail'),
};
const blockFields = {
  id: blockIdSchema,
  after: z.array(z.string()).default([]),
  ...stepFields,
};

const codeFields = {
  type: z.literal('code'),
  code: z.string().min(1, 'must not be empty'),
  language: z.enum(['javascript', 'typescript', 'python']).default('javascript'),
};
const queryFields = {
  type: z.literal('query'),
  resource: z.string().min(1),
  sql: z.string().trim().min(1, 'must not be empty'),
  params: z.array(templated).default([]),
  /** Run every statement of `sql` in one transaction: all or nothing. */
  transaction: z.boolean().default(false),
};
const httpFields = {
  type: z.literal('http'),
  resource: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  path: z.string().default('/'),
  query: z.record(z.string(), templated).optional(),
  headers: z.record(z.string(), templated).optional(),
  body: templated.optional(),
};
const workflowFields = {
  type: z.literal('workflow'),
  workflow: z.string().regex(WORKFLOW_NAME, `must be a workflow name (${WORKFLOW_NAME.source})`),
  input: templated.optional(),
  // A child run may take long; without timeoutMs it has no limit of its own.
  timeoutMs: timeoutSchema.optional(),
};

export const codeBlockSchema = z.strictObject({ ...blockFields, ...codeFields });
export const queryBlockSchema = z.strictObject({ ...blockFields, ...queryFields });
export const httpBlockSchema = z.strictObject({ ...blockFields, ...httpFields });
export const workflowBlockSchema = z.strictObject({ ...blockFields, ...workflowFields });
export const branchBlockSchema = z.strictObject({
  ...blockFields,
  type: z.literal('branch'),
  cases: z
    .array(z.strictObject({ when: expressionSchema, then: z.array(z.string()).min(1, 'lists at least one block') }))
    .min(1, 'a branch needs at least one case'),
  else: z.array(z.string()).default([]),
});
export const waitBlockSchema = z.strictObject({
  ...blockFields,
  type: z.literal('wait'),
  duration: z.union([z.int().min(0).max(MAX_WAIT_MS), z.string()]),
});
/**
 * A response block's headers: names are always literal, so they are checked
 * here; so is a value with no template in it. Templated values are checked
 * when the block runs (functions/code-executor), by the same rules.
 */
const responseHeadersSchema = z.record(z.string(), templated).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    const literal = typeof value === 'string' && !value.includes('{{') ? value : undefined;
    const problem = responseHeaderProblem(name, literal);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

export const responseBlockSchema = z.strictObject({
  ...blockFields,
  type: z.literal('response'),
  status: z.union([z.int().min(100).max(599), z.string()]).default(200),
  headers: responseHeadersSchema.optional(),
  body: templated.optional(),
});

/**
 * An approval waits for a person (docs/language.md): no executor runs it, so it
 * has neither timeoutMs nor retry; `timeout` is how long it waits at most.
 */
export const approvalBlockSchema = z.strictObject({
  id: blockIdSchema,
  after: z.array(z.string()).default([]),
  onError: z.enum(['fail', 'continue']).default('fail'),
  type: z.literal('approval'),
  approvers: z
    .array(z.string().regex(API_KEY_NAME, `must be an API key name (${API_KEY_NAME.source})`), { error: 'must be a list of API key names' })
    .min(1, 'lists at least one API key name (leave approvers out to let any key decide)')
    .optional(),
  timeout: z.union([z.int().min(1).max(MAX_WAIT_MS), z.string()]).optional(),
  onTimeout: z.enum(ON_TIMEOUT, { error: `must be one of ${ON_TIMEOUT.join(', ')}` }).default('fail'),
});

export const loopBodySchemas = {
  code: z.strictObject({ ...stepFields, ...codeFields }),
  query: z.strictObject({ ...stepFields, ...queryFields }),
  http: z.strictObject({ ...stepFields, ...httpFields }),
  workflow: z.strictObject({ ...stepFields, ...workflowFields }),
} as const;
export type LoopBody = z.infer<(typeof loopBodySchemas)[keyof typeof loopBodySchemas]>;

export const loopBlockSchema = z.strictObject({
  ...blockFields,
  type: z.literal('loop'),
  over: expressionSchema,
  concurrency: z.int().min(1).max(MAX_LOOP_CONCURRENCY).default(1),
  // Validated per body type in parse.ts, so errors name the body's own fields.
  body: z.unknown(),
});

export const blockSchemas = {
  code: codeBlockSchema,
  query: queryBlockSchema,
  http: httpBlockSchema,
  branch: branchBlockSchema,
  loop: loopBlockSchema,
  wait: waitBlockSchema,
  response: responseBlockSchema,
  workflow: workflowBlockSchema,
  approval: approvalBlockSchema,
} as const;

export type CodeBlock = z.infer<typeof codeBlockSchema>;
export type QueryBlock = z.infer<typeof queryBlockSchema>;
export type HttpBlock = z.infer<typeof httpBlockSchema>;
export type WorkflowBlock = z.infer<typeof workflowBlockSchema>;
export type BranchBlock = z.infer<typeof branchBlockSchema>;
export type WaitBlock = z.infer<typeof waitBlockSchema>;
export type ResponseBlock = z.infer<typeof responseBlockSchema>;
export type ApprovalBlock = z.infer<typeof approvalBlockSchema>;
export type LoopBlock = Omit<z.infer<typeof loopBlockSchema>, 'body'> & { body: LoopBody };
export type Block = CodeBlock | QueryBlock | HttpBlock | WorkflowBlock | BranchBlock | WaitBlock | ResponseBlock | LoopBlock | ApprovalBlock;
/** What an executor runs: a block, or a loop body standing in for one item. */
export type Step = Block | LoopBody;

export const scheduleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and -'),
  cron: z.string().trim().min(1),
  timezone: z.string().default('UTC'),
  input: z.unknown().optional(),
  overlap: z.enum(OVERLAP_POLICIES).default('skip'),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const triggersSchema = z.strictObject({
  http: z
    .strictObject({
      mode: z.enum(['async', 'sync']).default('async'),
      timeoutMs: z.int().min(1).max(MAX_TIMEOUT_MS).default(25_000),
    })
    .optional(),
  schedules: z.array(scheduleSchema).default([]),
});
export type Triggers = z.infer<typeof triggersSchema>;

/** Everything but the blocks, which are validated one by one for precise paths. */
export const definitionShellSchema = z.strictObject({
  name: z.string().regex(WORKFLOW_NAME, `must match ${WORKFLOW_NAME.source}`),
  description: z.string().optional(),
  triggers: triggersSchema.optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  concurrency: concurrencySchema.optional(),
  blocks: z.array(z.unknown()).min(1, 'a workflow needs at least one block'),
  onError: z.array(z.string()).default([]),
});

export interface Definition {
  readonly name: string;
  readonly description?: string | undefined;
  readonly triggers?: Triggers | undefined;
  /** JSON Schema for trigger.data. */
  readonly input?: Readonly<Record<string, unknown>> | undefined;
  /** How many runs per key may run at once, and what the next one does (docs/language.md). */
  readonly concurrency?: Concurrency | undefined;
  readonly blocks: readonly Block[];
  /** Blocks that run only when the run fails, with `error` in scope. */
  readonly onError: readonly string[];
}
