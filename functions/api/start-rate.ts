/**
 * The rate limit on run starts per API key: a token bucket per key, holding
 * up to `burst` starts and refilled at `rate`. A start with no token left is
 * answered 429 with Retry-After (when the next token comes).
 *
 * Buckets are kept per API process (a Lambda container, the local server),
 * keyed by the key's SHA-256, never the key: only keys the API accepts get
 * here, so there are as many buckets as configured keys.
 */
import { createHash } from 'node:crypto';
import { bearerToken } from '../../shared/auth/api-keys.ts';
import type { Rate } from '../../shared/config/index.ts';
import { HttpError } from '../../shared/errors/index.ts';

export interface StartRateSettings {
  readonly rate: Rate;
  /** Starts a key may make at once after a quiet spell; the rate's count by default. */
  readonly burst: number;
}

/** Takes one start from the caller's bucket, or throws the 429 HttpError. */
export type StartRateLimit = (authorization: string | undefined) => void;

interface Bucket {
  tokens: number;
  at: number;
}

export function startRateLimit(settings: StartRateSettings, now: () => number = Date.now): StartRateLimit {
  const buckets = new Map<string, Bucket>();
  const msPerToken = settings.rate.perMs / settings.rate.count;
  return (authorization) => {
    const key = createHash('sha256').update(bearerToken(authorization) ?? '').digest('hex');
    const time = now();
    const bucket = buckets.get(key) ?? { tokens: settings.burst, at: time };
    bucket.tokens = Math.min(settings.burst, bucket.tokens + (time - bucket.at) / msPerToken);
    bucket.at = time;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const seconds = Math.max(1, Math.ceil(((1 - bucket.tokens) * msPerToken) / 1000));
    throw new HttpError(
      429,
      'rate_limited',
      `this API key may start ${settings.rate.count} runs per ${settings.rate.perMs / 1000} s (burst ${settings.burst}); try again in ${seconds} s`,
      { 'retry-after': String(seconds) },
    );
  };
}
