/** Sealing and opening executor envelopes and replies with the key ring. */
import type { z } from 'zod';
import { EnvelopeError } from '../errors.ts';
import type { KeyRing } from '../codec/key-ring.ts';

/** Additional data, so a reply can never be replayed as a request or the reverse. */
export const ENVELOPE_AAD = 'baton/executor-envelope/v1';
export const REPLY_AAD = 'baton/executor-reply/v1';

export function seal(ring: KeyRing, value: unknown, aad: string): { v: 1; enc: string } {
  return { v: 1, enc: ring.seal(Buffer.from(JSON.stringify(value), 'utf8'), aad).toString('base64') };
}

export function open<T>(ring: KeyRing, enc: string, aad: string, schema: z.ZodType<T>, what: string): T {
  const json = ring.open(Buffer.from(enc, 'base64'), aad).toString('utf8');
  const parsed = schema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new EnvelopeError(`${what} is malformed at ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return parsed.data;
}
