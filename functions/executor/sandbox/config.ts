/** The sandbox's settings from an env: its memory limit, and the secret values it masks. */
import { ConfigError } from '../../../shared/errors/index.ts';
import type { Env } from '../../../shared/config/index.ts';
import { DEFAULT_MEMORY_LIMIT_MB, MIN_MEMORY_LIMIT_MB, type SandboxOptions } from './sandbox.ts';
import { SecretMask, secretValuesFromEnv } from '../../../shared/secrets/secret-mask.ts';

export function parseSandboxMemoryMb(env: Env): number {
  const text = env.BATON_SANDBOX_MEMORY_MB?.trim();
  if (!text) return DEFAULT_MEMORY_LIMIT_MB;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MIN_MEMORY_LIMIT_MB) {
    throw new ConfigError('BATON_SANDBOX_MEMORY_MB', `must be a whole number of megabytes, at least ${MIN_MEMORY_LIMIT_MB}, got "${text}"`);
  }
  return value;
}

export function sandboxOptionsFromEnv(env: Env): SandboxOptions {
  return { memoryLimitMb: parseSandboxMemoryMb(env), secrets: new SecretMask(secretValuesFromEnv(env)) };
}
