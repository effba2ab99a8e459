/**
 * Builds what a block's code sees: each mentioned block as { data, status,
 * error }, `trigger`, and `context`. Only mentioned results are read.
 */
import { storeKeys } from '../../shared/store/index.ts';
import type { BlockEnvelope, ExecutorRuntime, StoredBlockResult } from '../../shared/executor/index.ts';

export interface BlockView {
  data: unknown;
  status: string;
  error?: { message: string; type: string } | undefined;
}

export async function loadScope(envelope: BlockEnvelope, mentions: readonly string[], runtime: ExecutorRuntime) {
  const scope: Record<string, unknown> = {
    context: {
      runId: envelope.runId,
      workflow: envelope.workflow,
      block: envelope.blockId,
      attempt: envelope.attempt,
    },
  };
  await Promise.all(
    mentions.map(async (id) => {
      if (id === 'trigger') {
        scope.trigger = (await runtime.store.getJson(storeKeys.trigger(envelope.runId))) ?? { type: 'manual', data: null };
        return;
      }
      const status = envelope.scope[id] ?? 'pending';
      const view: BlockView = { data: undefined, status };
      if (status === 'completed' || status === 'failed') {
        const stored = await runtime.store.getJson<StoredBlockResult>(storeKeys.block(envelope.runId, id));
        view.data = stored?.data;
        view.error = stored?.error;
      }
      scope[id] = view;
    }),
  );
  return scope;
}
