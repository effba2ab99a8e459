/** Sealing and opening executor envelopes and replies with the key ring (their AADs: shared/contract/envelope.ts). */
import type { z } from 'zod';
import { EnvelopeError } from '../errors/index.ts';
import type { KeyRing } from './key-ring.ts';

export function seal(ring: KeyRing, value: unknown, aad: string): { v: 1; enc: string } {
  return { v: 1, enc: ring.seal(Buffer.from(JSON.stringify(value), 'utf8'), aad).toString('base64') };
}

export function openSealed<T>(ring: KeyRing, enc: string, aad: string, schema: z.ZodType<T>, what: string): T {
  const json = ring.open(Buffer.from(enc, 'base64'), aad).toString('utf8');
  const parsed = schema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new EnvelopeError(`${what} is malformed at ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return parsed.data;
}
