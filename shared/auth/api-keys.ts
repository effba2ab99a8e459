/**
 * Bearer tokens (API keys, codec server tokens). Only their SHA-256 digests
 * are kept in memory, and a presented token is compared digest to digest in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors/index.ts';

export interface ApiKeyCheck {
  (authorization: string | undefined): boolean;
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

export function apiKeyCheckFromEnv(env: Record<string, string | undefined>): ApiKeyCheck {
  const check = tokenCheckFromEnv(env, 'BATON_API_KEYS', 'the API needs at least one key');
  return (authorization) => check(bearerToken(authorization));
}
