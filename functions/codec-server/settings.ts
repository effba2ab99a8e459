/**
 * The codec server's settings, read once from an injected env: the key ring
 * (the deployment's, so it decodes what the worker and clients sealed), the
 * bearer tokens it accepts, and the Web UI origins it answers CORS for.
 */
import { tokenCheckFromEnv, type TokenCheck } from '../../shared/auth/api-keys.ts';
import { dataConverterFor, keyRingFromEnv } from '../../shared/codec/index.ts';
import { parseEnv, type Env } from '../../shared/config/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';
import type { PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { logSettings } from '../../shared/log/index.ts';

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

/**
 * Every setting the codec server reads. The key ring's own (ENCRYPTION_KEY,
 * BATON_ENCRYPTION_KEYS) are parsed by keyRingFromEnv, the one reader of them.
 */
export const codecSettingsSchema = z.object({
  ...logSettings,
  [TOKENS_SETTING]: z.string().default('').transform((text, ctx) => {
    try {
      return tokenCheckFromEnv({ [TOKENS_SETTING]: text }, TOKENS_SETTING, 'the codec server needs at least one token (make one with `baton keygen`)');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as ConfigError).message.slice(TOKENS_SETTING.length + 2) });
      return z.NEVER;
    }
  }),
  [ORIGINS_SETTING]: z.string().optional().transform((text, ctx) => {
    try {
      return parseOrigins(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as ConfigError).message.slice(ORIGINS_SETTING.length + 2) });
      return z.NEVER;
    }
  }),
  ENCRYPTION_KEY: z.string().optional(),
  BATON_ENCRYPTION_KEYS: z.string().optional(),
});

export function codecServerDepsFromEnv(env: Env, extraOrigins: readonly string[] = []): CodecServerDeps {
  const keyRing = keyRingFromEnv(env);
  const settings = parseEnv(codecSettingsSchema, env);
  const [codec] = dataConverterFor(keyRing).payloadCodecs;
  if (!codec) throw new Error('the data converter has no payload codec');
  return {
    codec,
    checkToken: settings[TOKENS_SETTING],
    allowedOrigins: new Set([...settings[ORIGINS_SETTING], ...extraOrigins]),
  };
}
