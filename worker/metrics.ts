/**
 * Prometheus metrics: the Temporal runtime's own (polls, task latencies,
 * slots, sticky cache) plus Baton's, served together by the runtime's
 * exporter at `http://<host>:<BATON_METRICS_PORT>/metrics`. Baton's are
 * counted by an activity interceptor around the block activity, so the
 * activities themselves stay free of metrics code:
 *
 * - baton_blocks_run{block_type, outcome}     every block attempt; outcome completed | failed
 * - baton_blocks_failed{block_type, reason}   reason block (the block's own error) | executor (invoke or function failed)
 * - baton_executor_latency{block_type}        milliseconds per attempt, envelope to reply
 *
 * (each also tagged with namespace and task_queue by the worker's entry point)
 */
import { performance } from 'node:perf_hooks';
import type { MetricCounter, MetricHistogram, MetricMeter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { z } from 'zod';
import { envMatching, envPort, parseEnv, type Env } from '../shared/config/index.ts';
import type { BlockReply, RunBlockInput } from '../shared/contract/index.ts';

export const DEFAULT_METRICS_PORT = 9464;

/** Where the runtime's Prometheus exporter listens; undefined when BATON_METRICS_PORT is 0 (off). */
export const metricsSettings = {
  BATON_METRICS_PORT: envPort(),
  BATON_METRICS_HOST: envMatching(/^[A-Za-z0-9.:-]+$/, 'a host name or IP address'),
};

export function metricsAddressFromEnv(env: Env): string | undefined {
  const settings = parseEnv(z.object(metricsSettings), env);
  const port = settings.BATON_METRICS_PORT ?? DEFAULT_METRICS_PORT;
  if (port === 0) return undefined;
  return `${settings.BATON_METRICS_HOST ?? '0.0.0.0'}:${port}`;
}

export interface BlockMetrics {
  readonly run: MetricCounter;
  readonly failed: MetricCounter;
  readonly latency: MetricHistogram;
}

/** Created once per process: the runtime keeps one instrument per name. */
export function createBlockMetrics(meter: MetricMeter): BlockMetrics {
  return {
    run: meter.createCounter('baton_blocks_run', 'attempts', 'Block attempts run by this worker'),
    failed: meter.createCounter('baton_blocks_failed', 'attempts', 'Block attempts that failed'),
    latency: meter.createHistogram('baton_executor_latency', 'int', 'ms', 'Executor invoke latency per block attempt'),
  };
}

const BLOCK_ACTIVITY = 'runBlock';

export function blockMetricsInterceptor(metrics: BlockMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.activityType !== BLOCK_ACTIVITY) return next(input);
        const blockType = (input.args[0] as RunBlockInput | undefined)?.type ?? 'unknown';
        const started = performance.now();
        let outcome: 'completed' | 'failed' = 'failed';
        let reason: 'block' | 'executor' = 'executor';
        try {
          const result = (await next(input)) as BlockReply;
          if (result.ok) outcome = 'completed';
          else reason = 'block';
          return result;
        } finally {
          metrics.latency.record(Math.round(performance.now() - started), { block_type: blockType });
          metrics.run.add(1, { block_type: blockType, outcome });
          if (outcome === 'failed') metrics.failed.add(1, { block_type: blockType, reason });
        }
      },
    },
  });
}
