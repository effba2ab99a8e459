/**
 * The API process's settings, read once from an injected env: the shared
 * ones (Temporal, result store, key ring: shared/config) and the API's own.
 * A bad setting throws a ConfigError whose one line names it.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, type BatonConfig, type Env } from '../../shared/config/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';

const apiSettingsSchema = z.object({
  BATON_WORKFLOWS_DIR: z.string().trim().min(1, 'must be a directory path').default('workflows'),
  BATON_API_KEYS: z
    .string({ error: 'not set: the API needs at least one key' })
    .refine((text) => text.split(',').some((key) => key.trim() !== ''), 'not set: the API needs at least one key'),
});

export interface ApiConfig {
  readonly baton: BatonConfig;
  /** Where the definitions the API starts are read from. */
  readonly workflowsDir: string;
}

/** Parses env settings with a zod schema; the first bad one becomes a ConfigError naming it. */
export function parseSettings<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(String(issue.path[0] ?? 'env'), issue.message);
}

export function apiConfigFromEnv(env: Env, cwd = process.cwd()): ApiConfig {
  const settings = parseSettings(apiSettingsSchema, env);
  return { baton: loadConfig(env, cwd), workflowsDir: resolve(cwd, settings.BATON_WORKFLOWS_DIR) };
}
