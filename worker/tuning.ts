/**
 * Worker tuning from the environment. Unset means the SDK's default. Block
 * activities spend their time waiting on a Lambda invoke, not on this
 * process's CPU, so concurrent activities can go well above the CPU count.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError } from '../shared/errors/index.ts';
import type { Env } from '../shared/config/index.ts';

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

function wholeNumber(env: Env, name: string, min: number, max: number): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** A number N (at most N pollers at once) or `auto` (the SDK scales pollers on the server's feedback). */
function pollers(env: Env, name: string): PollerBehavior | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  if (text === 'auto') return { type: 'autoscaling' };
  const maximum = wholeNumber(env, name, 1, 1000);
  return maximum === undefined ? undefined : { type: 'simple-maximum', maximum };
}

export function workerTuningFromEnv(env: Env): WorkerTuning {
  const tuning: WorkerTuning = {
    maxConcurrentActivityTaskExecutions: wholeNumber(env, 'BATON_WORKER_MAX_CONCURRENT_ACTIVITIES', 1, 10_000),
    maxConcurrentWorkflowTaskExecutions: wholeNumber(env, 'BATON_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 2, 10_000),
    maxCachedWorkflows: wholeNumber(env, 'BATON_WORKER_MAX_CACHED_WORKFLOWS', 0, 1_000_000),
    workflowTaskPollerBehavior: pollers(env, 'BATON_WORKER_WORKFLOW_POLLERS'),
    activityTaskPollerBehavior: pollers(env, 'BATON_WORKER_ACTIVITY_POLLERS'),
    shutdownGraceTime: wholeNumber(env, 'BATON_WORKER_SHUTDOWN_GRACE_MS', 0, 3_600_000) ?? DEFAULT_SHUTDOWN_GRACE_MS,
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
