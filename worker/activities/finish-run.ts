/** Writes the run's output, `{ <id>: data }` of its output blocks, to the result store. */
import type { StoredBlockResult } from '../../shared/executor/index.ts';
import { storeKeys, type ResultStore } from '../../shared/store/index.ts';
import type { FinishRunInput, ResultRef } from './types.ts';

export async function finishRun(store: ResultStore, input: FinishRunInput): Promise<ResultRef> {
  const entries = await Promise.all(
    input.outputBlocks.map(async (id) => {
      const stored = await store.getJson<StoredBlockResult>(storeKeys.block(input.runId, id));
      return [id, stored?.data] as const;
    }),
  );
  const put = await store.putJson(storeKeys.output(input.runId), Object.fromEntries(entries));
  return { ref: put.key, bytes: put.bytes };
}
