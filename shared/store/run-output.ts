/**
 * The run's output (docs/language.md): the winning response's data, or `{ <id>: data }`
 * of the blocks no other block waits for, stored at `runs/{runId}/output`.
 * Written by whichever finishes the run: the executor of its last step (told
 * by the envelope's `finish`), or else the worker's finishRun step. One
 * function for both, so the two can never disagree about what an output is.
 */
import type { ResultStore } from './result-store.ts';
import type { ResultRef, RunOutputSpec, StoredBlockResult } from '../contract/envelope.ts';
import { storeKeys } from '../contract/index.ts';

/** `known`: a block whose data the caller holds already (the executor's own step), so it is not read back. */
export async function writeRunOutput(
  store: ResultStore,
  runId: string,
  spec: RunOutputSpec,
  known?: { readonly blockId: string; readonly data: unknown },
): Promise<ResultRef> {
  const dataOf = async (blockId: string): Promise<unknown> =>
    blockId === known?.blockId ? known.data : (await store.getJson<StoredBlockResult>(storeKeys.block(runId, blockId)))?.data;
  let output: unknown;
  if (spec.responseBlock) {
    output = (await dataOf(spec.responseBlock)) ?? null;
  } else {
    output = Object.fromEntries(await Promise.all(spec.outputBlocks.map(async (id) => [id, await dataOf(id)] as const)));
  }
  const put = await store.putJson(storeKeys.output(runId), output);
  return { ref: put.key, bytes: put.bytes };
}
