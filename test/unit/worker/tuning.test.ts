import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors/index.ts';
import { DEFAULT_SHUTDOWN_GRACE_MS, workerTuningFromEnv } from '../../../worker/tuning.ts';
import { healthPortFromEnv, DEFAULT_HEALTH_PORT } from '../../../worker/health.ts';
import { metricsAddressFromEnv } from '../../../worker/metrics.ts';

describe('workerTuningFromEnv', () => {
  it("keeps the SDK's defaults when nothing is set, except a shutdown grace for in-flight blocks", () => {
    expect(workerTuningFromEnv({})).toEqual({ shutdownGraceTime: DEFAULT_SHUTDOWN_GRACE_MS });
  });

  it('reads concurrency, cache, pollers and grace', () => {
    expect(
      workerTuningFromEnv({
        BATON_WORKER_MAX_CONCURRENT_ACTIVITIES: '400',
        BATON_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
        BATON_WORKER_MAX_CACHED_WORKFLOWS: '2000',
        BATON_WORKER_WORKFLOW_POLLERS: '4',
        BATON_WORKER_ACTIVITY_POLLERS: 'auto',
        BATON_WORKER_SHUTDOWN_GRACE_MS: '30000',
      }),
    ).toEqual({
      maxConcurrentActivityTaskExecutions: 400,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxCachedWorkflows: 2000,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
      activityTaskPollerBehavior: { type: 'autoscaling' },
      shutdownGraceTime: 30000,
    });
  });

  it.each([
    [{ BATON_WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, 'BATON_WORKER_MAX_CONCURRENT_ACTIVITIES', /from 1 to 10000, got "0"/],
    [{ BATON_WORKER_MAX_CONCURRENT_ACTIVITIES: 'lots' }, 'BATON_WORKER_MAX_CONCURRENT_ACTIVITIES', /got "lots"/],
    [{ BATON_WORKER_MAX_CACHED_WORKFLOWS: '1' }, 'BATON_WORKER_MAX_CACHED_WORKFLOWS', /0 \(no cache\) or at least 2/],
    [{ BATON_WORKER_WORKFLOW_POLLERS: '1' }, 'BATON_WORKER_WORKFLOW_POLLERS', /at least 2 while workflows are cached/],
    [{ BATON_WORKER_ACTIVITY_POLLERS: '2.5' }, 'BATON_WORKER_ACTIVITY_POLLERS', /whole number/],
    [{ BATON_WORKER_SHUTDOWN_GRACE_MS: '-1' }, 'BATON_WORKER_SHUTDOWN_GRACE_MS', /from 0 to 3600000/],
  ])('refuses %j naming the setting', (env, setting, message) => {
    let error: unknown;
    try {
      workerTuningFromEnv(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(setting);
    expect((error as Error).message).toMatch(message);
  });

  it('allows one workflow poller when the cache is off', () => {
    expect(workerTuningFromEnv({ BATON_WORKER_WORKFLOW_POLLERS: '1', BATON_WORKER_MAX_CACHED_WORKFLOWS: '0' })).toMatchObject({
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 1 },
      maxCachedWorkflows: 0,
    });
  });
});

describe('health and metrics ports', () => {
  it('defaults, overrides and refuses bad values', () => {
    expect(healthPortFromEnv({})).toBe(DEFAULT_HEALTH_PORT);
    expect(healthPortFromEnv({ BATON_HEALTH_PORT: '9000' })).toBe(9000);
    expect(() => healthPortFromEnv({ BATON_HEALTH_PORT: '70000' })).toThrow(/^BATON_HEALTH_PORT: must be a port number/);
    expect(metricsAddressFromEnv({})).toBe('0.0.0.0:9464');
    expect(metricsAddressFromEnv({ BATON_METRICS_PORT: '9100', BATON_METRICS_HOST: '127.0.0.1' })).toBe('127.0.0.1:9100');
    expect(metricsAddressFromEnv({ BATON_METRICS_PORT: '0' })).toBeUndefined();
    expect(() => metricsAddressFromEnv({ BATON_METRICS_PORT: 'x' })).toThrow(/^BATON_METRICS_PORT: /);
  });
});
