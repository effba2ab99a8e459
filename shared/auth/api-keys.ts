/**
 * Bearer API keys. Only their SHA-256 digests are kept in memory, and a
 * presented key is compared digest to digest in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.ts';

export interface ApiKeyCheck {
  (authorization: string | undefined): boolean;
}

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

export function apiKeyCheckFromEnv(env: Record<string, string | undefined>): ApiKeyCheck {
  const keys = (env.BATON_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length === 0) throw new ConfigError('BATON_API_KEYS', 'not set: the API needs at least one key');
  if (keys.some((key) => key.length < 16)) throw new ConfigError('BATON_API_KEYS', 'each key must be at least 16 characters');
  const digests = keys.map(digest);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return false;
    const presented = digest(match[1]);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(presented, known) || ok;
    return ok;
  };
}
