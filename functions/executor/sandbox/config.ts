/** The sandbox's settings from an env: its memory limit, and the secret values it masks. */
import { z } from 'zod';
import { envWholeNumber, parseEnv, type Env } from '../../../shared/config/index.ts';
import { DEFAULT_MEMORY_LIMIT_MB, MIN_MEMORY_LIMIT_MB, type SandboxOptions } from './sandbox.ts';
import { SecretMask, secretValuesFromEnv } from '../../../shared/secrets/secret-mask.ts';

export const sandboxSettings = {
  BATON_SANDBOX_MEMORY_MB: envWholeNumber(
    MIN_MEMORY_LIMIT_MB,
    1_000_000,
    `must be a whole number of megabytes, at least ${MIN_MEMORY_LIMIT_MB}`,
  ),
};

export function parseSandboxMemoryMb(env: Env): number {
  return parseEnv(z.object(sandboxSettings), env).BATON_SANDBOX_MEMORY_MB ?? DEFAULT_MEMORY_LIMIT_MB;
}

export function sandboxOptionsFromEnv(env: Env): SandboxOptions {
  return { memoryLimitMb: parseSandboxMemoryMb(env), secrets: new SecretMask(secretValuesFromEnv(env)) };
}
