/**
 * Builds what a step's code and templates see: each mentioned block as
 * { data, status, error }, `trigger`, `context`, and for loop bodies `item`
 * and `index`, for onError blocks `error`. Only mentioned results are read.
 */
import type { BlockEnvelope, StoredBlockResult } from '../../shared/contract/envelope.ts';
import type { ExecutorRuntime } from './runtime.ts';
import { LOOP_ITEMS_PER_CHUNK, storeKeys } from '../../shared/contract/index.ts';

export interface BlockView {
  data: unknown;
  status: string;
  error?: { message: string; type: string } | undefined;
}

async function loadItem(envelope: BlockEnvelope, index: number, runtime: ExecutorRuntime): Promise<unknown> {
  const chunk = Math.floor(index / LOOP_ITEMS_PER_CHUNK);
  const items = await runtime.store.requireJson<unknown[]>(storeKeys.loopItems(envelope.runId, envelope.blockId, chunk));
  return items[index % LOOP_ITEMS_PER_CHUNK];
}

/** The resume link of each approval block of the run, by block id; undefined when the workflow has none. */
async function approvalUrls(envelope: BlockEnvelope, runtime: ExecutorRuntime): Promise<Record<string, string> | undefined> {
  const definition = await runtime.definition(envelope.definitionHash);
  const ids = definition.blocks.filter((block) => block.type === 'approval').map((block) => block.id);
  if (ids.length === 0) return undefined;
  return Object.fromEntries(ids.map((blockId) => [blockId, runtime.approvalLinks.url({ runId: envelope.workflowId ?? envelope.runId, blockId })]));
}

export async function loadScope(
  envelope: BlockEnvelope,
  mentions: readonly string[],
  runtime: ExecutorRuntime,
): Promise<Record<string, unknown>> {
  const approvalUrl = await approvalUrls(envelope, runtime);
  const scope: Record<string, unknown> = {
    context: {
      runId: envelope.runId,
      workflow: envelope.workflow,
      block: envelope.blockId,
      attempt: envelope.attempt,
      ...(envelope.item !== undefined ? { index: envelope.item } : {}),
      ...(approvalUrl ? { approvalUrl } : {}),
    },
  };
  if (envelope.runError) scope.error = envelope.runError;
  const loads: Array<Promise<void>> = mentions.map(async (id) => {
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
  });
  if (envelope.item !== undefined) {
    const index = envelope.item;
    scope.index = index;
    loads.push(loadItem(envelope, index, runtime).then((item) => void (scope.item = item)));
  }
  await Promise.all(loads);
  return scope;
}
