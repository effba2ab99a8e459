/**
 * Lambda entry point of the db-connector. Query and http blocks come with the
 * workflow language; until then the definition validator refuses them, and a
 * block that reaches here anyway gets a clear, non-retryable error.
 */
import { createExecutorHandler, executorRuntime } from '../../shared/executor/index.ts';

export const handler = createExecutorHandler(async (envelope) => ({
  ok: false,
  error: {
    type: 'NotSupported',
    message: `block "${envelope.blockId}": query and http blocks are not supported by this build yet`,
    retryable: false,
  },
}), executorRuntime);
