/**
 * The API process's settings, read once from an injected env: the shared
 * ones (Temporal, result store, key ring: shared/config) and the API's own.
 * A bad setting throws a ConfigError whose one line names it.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { coreSettings, envRate, envWholeNumber, loadConfig, parseEnv, type BatonConfig, type Env } from '../../shared/config/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';
import type { StartRateSettings } from './start-rate.ts';
import { logSettings } from '../../shared/log/index.ts';
import { tracingSettings } from '../../shared/tracing/index.ts';
import { approvalLinkSettings } from '../../shared/auth/approval-links.ts';
import { temporalSettingsShape } from '../../shared/temporal/index.ts';

/** The rate limit on run starts per API key (functions/api/start-rate.ts); off while the rate is unset. */
export const startRateSettings = {
  BATON_RUN_START_RATE: envRate(),
  BATON_RUN_START_BURST: envWholeNumber(1, 1_000_000),
};

export function startRateFromEnv(env: Env): StartRateSettings | undefined {
  const settings = parseEnv(z.object(startRateSettings), env);
  const rate = settings.BATON_RUN_START_RATE;
  if (!rate) {
    if (settings.BATON_RUN_START_BURST !== undefined) throw new ConfigError('BATON_RUN_START_BURST', 'is set but BATON_RUN_START_RATE is not: set the rate too');
    return undefined;
  }
  return { rate, burst: settings.BATON_RUN_START_BURST ?? rate.count };
}

/** Every setting the API reads: the shared ones, Temporal's, and its own. */
export const apiSettingsSchema = z.object({
  ...coreSettings,
  ...temporalSettingsShape,
  ...startRateSettings,
  ...logSettings,
  ...tracingSettings,
  ...approvalLinkSettings,
  BATON_WORKFLOWS_DIR: z.string().trim().min(1, 'must be a directory path').default('workflows'),
  /** The run viewer's built files (absent: /ui/ answers 404). */
  BATON_UI_DIR: z.string().trim().min(1, 'must be a directory path').default('ui-dist'),
  BATON_API_KEYS: z
    .string({ error: 'not set: the API needs at least one key' })
    .refine((text) => text.split(',').some((key) => key.trim() !== ''), 'not set: the API needs at least one key'),
});

export interface ApiConfig {
  readonly baton: BatonConfig;
  /** Where the definitions the API starts are read from. */
  readonly workflowsDir: string;
  readonly uiDir: string;
  /** The rate limit on run starts per API key; undefined: none. */
  readonly startRate: StartRateSettings | undefined;
}

export function apiConfigFromEnv(env: Env, cwd = process.cwd()): ApiConfig {
  const settings = parseEnv(apiSettingsSchema, env);
  return { baton: loadConfig(env, cwd), workflowsDir: resolve(cwd, settings.BATON_WORKFLOWS_DIR), uiDir: resolve(cwd, settings.BATON_UI_DIR), startRate: startRateFromEnv(env) };
}
