/**
 * Blanking secret values out of what leaves the db-connector: error messages
 * from drivers (a connection URL in an error, say) and block results (an API
 * that echoes its Authorization header). Values shorter than
 * MIN_MASKED_LENGTH are not masked: they would blank ordinary data, and
 * nothing that short is a secret. The mask is the sandbox's, so block logs
 * and block data read alike.
 */

import { MASK } from '../../shared/secrets/secret-mask.ts';

export { MASK };
export const MIN_MASKED_LENGTH = 4;

export interface SecretMask {
  mask(text: string): string;
  maskValue<T>(value: T): T;
}

/** The password part of `scheme://user:password@host`, whatever it is. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

function maskable(known: ReadonlySet<string>): string[] {
  // Longest first, so a secret containing another is blanked whole.
  return [...known].filter((value) => value.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
}

function blank(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

export function maskText(text: string, known: ReadonlySet<string>): string {
  return blank(text.replace(URL_PASSWORD, `$1${MASK}@`), maskable(known));
}

/** A copy of a JSON value with every secret blanked from its strings (keys included); the value itself when none occurs. */
export function maskValue<T>(value: T, known: ReadonlySet<string>): T {
  const secrets = maskable(known);
  if (secrets.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return blank(item, secrets);
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [blank(key, secrets), walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}
