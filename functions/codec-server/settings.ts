/**
 * The codec server's settings, read once from an injected env: the key ring
 * (the deployment's, so it decodes what the worker and clients sealed), the
 * bearer tokens it accepts, and the Web UI origins it answers CORS for.
 */
import { tokenCheckFromEnv, type TokenCheck } from '../../shared/auth/api-keys.ts';
import { dataConverterFor, keyRingFromEnv } from '../../shared/codec/index.ts';
import type { Env } from '../../shared/config/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';
import type { PayloadCodec } from '@temporalio/common';

export interface CodecServerDeps {
  /** The very codec the deployment's clients use (one memoised data converter). */
  readonly codec: PayloadCodec;
  readonly checkToken: TokenCheck;
  /** Exact origins (scheme://host[:port]) a browser may call from. */
  readonly allowedOrigins: ReadonlySet<string>;
}

export const TOKENS_SETTING = 'BATON_CODEC_TOKENS';
export const ORIGINS_SETTING = 'BATON_CODEC_CORS_ORIGINS';

export function parseOrigins(text: string | undefined): string[] {
  const origins = (text ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // An origin, exactly: a wildcard or a path would let other pages read decoded data.
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(ORIGINS_SETTING, `"${origin}" is not an origin like https://cloud.temporal.io (scheme://host[:port], no path, no *)`);
    }
  }
  return origins;
}

export function codecServerDepsFromEnv(env: Env, extraOrigins: readonly string[] = []): CodecServerDeps {
  const [codec] = dataConverterFor(keyRingFromEnv(env)).payloadCodecs;
  if (!codec) throw new Error('the data converter has no payload codec');
  return {
    codec,
    checkToken: tokenCheckFromEnv(env, TOKENS_SETTING, 'the codec server needs at least one token (make one with `baton keygen`)'),
    allowedOrigins: new Set([...parseOrigins(env[ORIGINS_SETTING]), ...extraOrigins]),
  };
}
