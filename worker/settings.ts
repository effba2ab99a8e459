/**
 * Every setting the worker reads, in one schema. main.ts parses it before
 * anything connects, so a bad setting stops start-up with one line naming
 * it; test/architecture/settings.test.ts keeps the list complete (every
 * BATON_ and TEMPORAL_ name in the worker's bundle is here).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { coreSettings, envText, loadConfig, parseEnv, type BatonConfig, type Env } from '../shared/config/index.ts';
import { temporalSettingsShape } from '../shared/temporal/index.ts';
import { logSettings } from '../shared/log/index.ts';
import { tracingSettings } from '../shared/tracing/index.ts';
import { healthPortFromEnv, healthSettings } from './health.ts';
import { metricsAddressFromEnv, metricsSettings } from './metrics.ts';
import { tuningSettings, workerTuningFromEnv, type WorkerTuning } from './tuning.ts';
import { workflowBundleFromEnv, workflowBundleSettings } from './workflow-bundle.ts';

export const workerSettingsSchema = z.object({
  ...coreSettings,
  ...temporalSettingsShape,
  ...tuningSettings,
  ...healthSettings,
  ...metricsSettings,
  ...workflowBundleSettings,
  ...logSettings,
  ...tracingSettings,
  /** The definitions whose schedules the worker reconciles at start. */
  BATON_WORKFLOWS_DIR: envText(),
});

export interface WorkerSettings {
  readonly config: BatonConfig;
  readonly tuning: WorkerTuning;
  readonly healthPort: number;
  /** host:port of the Prometheus exporter; undefined when off. */
  readonly metricsAddress: string | undefined;
  /** The prebuilt workflow bundle; undefined means bundle at start. */
  readonly workflowBundle: WorkflowBundlePath | undefined;
  readonly workflowsDir: string;
}

export function loadWorkerSettings(env: Env, cwd = process.cwd()): WorkerSettings {
  // The whole schema first, so the first bad setting is reported whichever part reads it.
  const settings = parseEnv(workerSettingsSchema, env);
  return {
    config: loadConfig(env, cwd),
    tuning: workerTuningFromEnv(env),
    healthPort: healthPortFromEnv(env),
    metricsAddress: metricsAddressFromEnv(env),
    workflowBundle: workflowBundleFromEnv(env, cwd),
    workflowsDir: resolve(cwd, settings.BATON_WORKFLOWS_DIR ?? 'workflows'),
  };
}
