/**
 * What the worker and the executors say to each other (docs/design.md): the Lambda
 * payload is `{ v: 1, enc }`, `enc` the key-ring-sealed JSON envelope; the
 * reply is sealed the same way (shared/codec/envelope.ts seals and opens).
 * The types come from the schemas (schemas/envelope.ts) by type-only import,
 * so this file stays pure and workflow code can use it.
 */
import type { z } from 'zod';
import type {
  blockEnvelopeSchema,
  blockReplySchema,
  decisionSchema,
  invocationSchema,
  resultRefSchema,
  runOutputSpecSchema,
  wireReplySchema,
} from './schemas/envelope.ts';

/** What a run's output is made of (docs/language.md): the winning response's data, or `{ <id>: data }` of the output blocks. */
export type RunOutputSpec = z.infer<typeof runOutputSpecSchema>;
/** A result-store object a step wrote: its key and its size as JSON. */
export type ResultRef = z.infer<typeof resultRefSchema>;
export type BlockEnvelope = z.infer<typeof blockEnvelopeSchema>;
/** What branch and loop blocks decided: orchestration data the workflow acts on. */
export type Decision = z.infer<typeof decisionSchema>;
/** One block attempt's outcome: a reference to its result, or its own failure (user code threw). */
export type BlockReply = z.infer<typeof blockReplySchema>;
export type BlockResult = Extract<BlockReply, { ok: true }>;
export type Invocation = z.infer<typeof invocationSchema>;
export type WireReply = z.infer<typeof wireReplySchema>;

/** Additional data, so a reply can never be replayed as a request or the reverse. */
export const ENVELOPE_AAD = 'baton/executor-envelope/v1';
export const REPLY_AAD = 'baton/executor-reply/v1';

/** What a result-store block object holds. */
export interface StoredBlockResult {
  data?: unknown;
  error?: { message: string; type: string };
}
