/**
 * Bearer tokens (API keys, codec server tokens). Only their SHA-256 digests
 * are kept in memory, and a presented token is compared digest to digest in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors/index.ts';

export interface ApiKeyCheck {
  (authorization: string | undefined): boolean;
  /** The name of the key the header presents (who published a version, who approved), or undefined for no valid key. */
  nameOf?(authorization: string | undefined): string | undefined;
}

/** Checks a bare token (from a header or a URL path). */
export type TokenCheck = (token: string | undefined) => boolean;

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();
const MIN_TOKEN_LENGTH = 16;

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** Tokens from a comma-separated setting; `purpose` completes "not set: ..." when there are none. */
export function tokenCheckFromEnv(env: Record<string, string | undefined>, setting: string, purpose: string): TokenCheck {
  const tokens = (env[setting] ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean);
  if (tokens.length === 0) throw new ConfigError(setting, `not set: ${purpose}`);
  if (tokens.some((token) => token.length < MIN_TOKEN_LENGTH)) {
    throw new ConfigError(setting, `each key must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const digests = tokens.map(digest);
  return (token) => {
    if (!token) return false;
    const presented = digest(token);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(presented, known) || ok;
    return ok;
  };
}

/** `name:key`: a key with its name. A name is what logs and records show; the key itself never is. */
const NAMED_KEY = /^([A-Za-z0-9_.-]{1,64}):(.+)$/;

/** A bare key's name: `key-` and the start of its digest, stable across restarts and reorderings, and no secret. */
export function unnamedKeyName(key: string): string {
  return `key-${digest(key).toString('hex').slice(0, 8)}`;
}

/**
 * BATON_API_KEYS: comma-separated keys, each bare or `name:key`. The check
 * also tells which key a header presents (nameOf), by name.
 */
export function apiKeyCheckFromEnv(env: Record<string, string | undefined>): ApiKeyCheck {
  const entries = (env.BATON_API_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const named = NAMED_KEY.exec(entry);
      return named ? { name: named[1] as string, key: (named[2] as string).trim() } : { name: unnamedKeyName(entry), key: entry };
    });
  const names = new Set<string>();
  for (const { name } of entries) {
    if (names.has(name)) throw new ConfigError('BATON_API_KEYS', `the key name "${name}" is used twice`);
    names.add(name);
  }
  const check = tokenCheckFromEnv({ BATON_API_KEYS: entries.map((e) => e.key).join(',') }, 'BATON_API_KEYS', 'the API needs at least one key');
  const byDigest = entries.map((entry) => ({ name: entry.name, digest: digest(entry.key) }));
  const apiKeyCheck: ApiKeyCheck = (authorization) => check(bearerToken(authorization));
  apiKeyCheck.nameOf = (authorization) => {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    const presented = digest(token);
    let found: string | undefined;
    for (const known of byDigest) if (timingSafeEqual(presented, known.digest)) found = known.name;
    return found;
  };
  return apiKeyCheck;
}
