/**
 * The definition language (DESIGN §3), as far as it is built: code blocks
 * with after-edges, retry, timeout and onError. Every other part of v1 is
 * recognised and refused with a clear "not supported yet", never ignored.
 */
import { z } from 'zod';

export const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,62}$/;
export const BLOCK_ID = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
export const V1_BLOCK_TYPES = ['code', 'query', 'http', 'branch', 'loop', 'wait', 'response', 'workflow'] as const;
export const BUILT_BLOCK_TYPES = ['code'] as const;
/** Top-level keys of v1 that later work builds. */
export const UNBUILT_TOP_LEVEL = ['triggers', 'input', 'onError'] as const;

/** Names that cannot be block ids: they are the scope code blocks see, or JS keywords. */
export const RESERVED_IDS = new Set([
  'trigger', 'context', 'console', 'item', 'index', 'error',
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void',
  'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected',
  'public', 'await', 'async', 'undefined', 'NaN', 'Infinity', 'eval', 'arguments',
]);

export const MAX_TIMEOUT_MS = 900_000; // Lambda's own ceiling
export const DEFAULT_TIMEOUT_MS = 30_000;

const retrySchema = z.strictObject({
  maxAttempts: z.int().min(1).max(100).default(1),
  initialIntervalMs: z.int().min(0).max(3_600_000).default(1000),
  backoffCoefficient: z.number().min(1).max(10).default(2),
  maxIntervalMs: z.int().min(0).max(3_600_000).default(60_000),
});

const commonFields = {
  id: z.string().regex(BLOCK_ID, 'must be a JavaScript identifier'),
  type: z.string(),
  after: z.array(z.string()).default([]),
  timeoutMs: z.int().min(1).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS),
  retry: retrySchema.default({ maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 }),
  onError: z.enum(['fail', 'continue']).default('fail'),
};

export const codeBlockSchema = z.strictObject({
  ...commonFields,
  type: z.literal('code'),
  code: z.string().min(1, 'must not be empty'),
  language: z.enum(['javascript', 'typescript']).default('javascript'),
});

export type CodeBlock = z.infer<typeof codeBlockSchema>;
export type Block = CodeBlock;

export const definitionShellSchema = z.strictObject({
  name: z.string().regex(WORKFLOW_NAME, `must match ${WORKFLOW_NAME.source}`),
  description: z.string().optional(),
  blocks: z.array(z.unknown()).min(1, 'a workflow needs at least one block'),
});

export interface Definition {
  readonly name: string;
  readonly description?: string | undefined;
  readonly blocks: readonly Block[];
}
