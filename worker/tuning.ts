/**
 * Worker tuning from the environment. Unset means the SDK's default. Block
 * activities spend their time waiting on a Lambda invoke, not on this
 * process's CPU, so concurrent activities can go well above the CPU count.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError } from '../shared/errors/index.ts';
import { z } from 'zod';
import { envSetting, envWholeNumber, parseEnv, type Env } from '../shared/config/index.ts';

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxCachedWorkflows'
  | 'workflowTaskPollerBehavior'
  | 'activityTaskPollerBehavior'
  | 'shutdownGraceTime'
>;

type PollerBehavior = NonNullable<WorkerOptions['workflowTaskPollerBehavior']>;

/**
 * How long a stopping worker waits for in-flight blocks before cancelling
 * them. Below ECS's stopTimeout (120 s in serverless.yml) so the worker ends
 * on its own before the container is killed.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 100_000;

const POLLERS = 'must be a whole number from 1 to 1000 or auto';
const pollerSetting = () =>
  envSetting(
    z
      .string()
      .regex(/^(auto|\d+)$/, { message: POLLERS })
      .transform((value) => (value === 'auto' ? ('auto' as const) : Number(value)))
      .refine((value) => value === 'auto' || (value >= 1 && value <= 1000), { message: POLLERS }),
  );

/** The tuning settings; worker/settings.ts spreads them into the worker's schema. */
export const tuningSettings = {
  BATON_WORKER_MAX_CONCURRENT_ACTIVITIES: envWholeNumber(1, 10_000),
  BATON_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: envWholeNumber(2, 10_000),
  BATON_WORKER_MAX_CACHED_WORKFLOWS: envWholeNumber(0, 1_000_000),
  BATON_WORKER_WORKFLOW_POLLERS: pollerSetting(),
  BATON_WORKER_ACTIVITY_POLLERS: pollerSetting(),
  BATON_WORKER_SHUTDOWN_GRACE_MS: envWholeNumber(0, 3_600_000),
};

/** A number N (at most N pollers at once) or `auto` (the SDK scales pollers on the server's feedback). */
function pollers(value: number | 'auto' | undefined): PollerBehavior | undefined {
  if (value === undefined) return undefined;
  return value === 'auto' ? { type: 'autoscaling' } : { type: 'simple-maximum', maximum: value };
}

export function workerTuningFromEnv(env: Env): WorkerTuning {
  const settings = parseEnv(z.object(tuningSettings), env);
  const tuning: WorkerTuning = {
    maxConcurrentActivityTaskExecutions: settings.BATON_WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: settings.BATON_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: settings.BATON_WORKER_MAX_CACHED_WORKFLOWS,
    workflowTaskPollerBehavior: pollers(settings.BATON_WORKER_WORKFLOW_POLLERS),
    activityTaskPollerBehavior: pollers(settings.BATON_WORKER_ACTIVITY_POLLERS),
    shutdownGraceTime: settings.BATON_WORKER_SHUTDOWN_GRACE_MS ?? DEFAULT_SHUTDOWN_GRACE_MS,
  };
  if (tuning.maxCachedWorkflows === 1) {
    throw new ConfigError('BATON_WORKER_MAX_CACHED_WORKFLOWS', 'must be 0 (no cache) or at least 2, got "1"');
  }
  const workflowPollers = tuning.workflowTaskPollerBehavior;
  if (workflowPollers?.type === 'simple-maximum' && workflowPollers.maximum === 1 && tuning.maxCachedWorkflows !== 0) {
    // Core polls the task queue and the worker's sticky queue, one poller each at least.
    throw new ConfigError('BATON_WORKER_WORKFLOW_POLLERS', 'must be at least 2 while workflows are cached (BATON_WORKER_MAX_CACHED_WORKFLOWS is not 0)');
  }
  return Object.fromEntries(Object.entries(tuning).filter(([, value]) => value !== undefined)) as WorkerTuning;
}
