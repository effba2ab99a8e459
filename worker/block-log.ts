/**
 * One log line per block attempt, by an activity interceptor around the
 * block activity (as the metrics are), so the activities stay free of
 * logging code: debug when it ends, warn when the executor itself failed
 * (a Lambda error, a timeout: the activity retries it). Ids, types and
 * codes only: the block's own error message is the user's and stays in the
 * result store.
 */
import { performance } from 'node:perf_hooks';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { BlockReply, RunBlockInput } from '../shared/contract/index.ts';
import { errorLogFields, type Logger } from '../shared/log/index.ts';

const BLOCK_ACTIVITY = 'runBlock';

export function blockLogInterceptor(logger: Logger): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.activityType !== BLOCK_ACTIVITY) return next(input);
        const block = input.args[0] as RunBlockInput | undefined;
        const fields = {
          runId: block?.runId,
          blockId: block?.blockId,
          blockType: block?.type,
          attempt: block?.attempt,
          ...(block?.item !== undefined ? { item: block.item } : {}),
          activityAttempt: ctx.info.attempt,
        };
        const started = performance.now();
        try {
          const reply = (await next(input)) as BlockReply;
          const durationMs = Math.round(performance.now() - started);
          logger.debug({ ...fields, outcome: reply.ok ? 'completed' : 'failed', ...(reply.ok ? {} : { blockErrorType: reply.error.type }), durationMs }, 'block attempt');
          return reply;
        } catch (error) {
          const { stack: _stack, ...named } = errorLogFields(error);
          logger.warn({ ...fields, ...named, durationMs: Math.round(performance.now() - started) }, 'block attempt: the executor failed');
          throw error;
        }
      },
    },
  });
}
