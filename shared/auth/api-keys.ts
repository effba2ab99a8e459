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
  readonly nameOf?: (authorization: string | undefined) => string | undefined;
}

/** An entry of BATON_API_KEYS is `name:key`, or a bare key, named by unnamedKeyName. */
const NAMED_ENTRY = /^([A-Za-z0-9_.@-]{1,64}):(\S+)$/;

/** Checks a bare token (from a header or a URL path). */
export type TokenCheck = (token: string | undefined) => boolean;

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();
const MIN_TOKEN_LENGTH = 16;

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** The entries of a comma-separated setting. */
function entriesOf(env: Record<string, string | undefined>, setting: string): string[] {
  return (env[setting] ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean);
}

/** Tokens from a comma-separated setting; `purpose` completes "not set: ..." when there are none. */
export function tokenCheckFromEnv(env: Record<string, string | undefined>, setting: string, purpose: string): TokenCheck {
  const tokens = entriesOf(env, setting);
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

/** A bare key's name: `key-` and the start of its digest, stable across restarts and reorderings, and no secret. */
export function unnamedKeyName(key: string): string {
  return `key-${digest(key).toString('hex').slice(0, 8)}`;
}

/** `BATON_API_KEYS`: each key with its name (who published a version, the identity approval blocks list as approvers). */
export function apiKeyCheckFromEnv(env: Record<string, string | undefined>): ApiKeyCheck {
  const setting = 'BATON_API_KEYS';
  const entries = entriesOf(env, setting).map((entry) => {
    const named = NAMED_ENTRY.exec(entry);
    return named ? { name: named[1]!, token: named[2]! } : { name: unnamedKeyName(entry), token: entry };
  });
  if (entries.length === 0) throw new ConfigError(setting, 'not set: the API needs at least one key');
  if (entries.some((entry) => entry.token.length < MIN_TOKEN_LENGTH)) {
    throw new ConfigError(setting, `each key must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const names = entries.map((entry) => entry.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new ConfigError(setting, `the name "${repeated}" is given to two keys`);
  const known = entries.map((entry) => ({ name: entry.name, digest: digest(entry.token) }));
  const nameOf = (authorization: string | undefined) => {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    const presented = digest(token);
    let found: string | undefined;
    // Every key is compared, so the time taken does not tell which one matched.
    for (const entry of known) if (timingSafeEqual(presented, entry.digest)) found ??= entry.name;
    return found;
  };
  return Object.assign((authorization: string | undefined) => nameOf(authorization) !== undefined, { nameOf });
}
