/**
 * Store-side steps the worker does itself (no user code involved): assembling
 * a loop's data from its items, taking a child run's output as a block's
 * data, recording a failure the executor could not record, and the run output.
 */
import type { StoredBlockResult } from '../../shared/executor/index.ts';
import { storeKeys, type ResultStore } from '../../shared/store/index.ts';
import type { Definition } from '../../shared/definition/schema.ts';
import type {
  AdoptChildOutputInput,
  CollectLoopInput,
  CopyResultsInput,
  FinishRunInput,
  PrepareScheduledRunInput,
  RecordFailureInput,
  ResultRef,
} from './types.ts';

const READ_CONCURRENCY = 32;

function resultKey(runId: string, blockId: string, item: number | undefined): string {
  return item === undefined ? storeKeys.block(runId, blockId) : storeKeys.loopItem(runId, blockId, item);
}

/** The loop's data: each item's data, in item order. */
export async function collectLoop(store: ResultStore, input: CollectLoopInput): Promise<ResultRef> {
  const data: unknown[] = new Array<unknown>(input.count);
  for (let start = 0; start < input.count; start += READ_CONCURRENCY) {
    const end = Math.min(start + READ_CONCURRENCY, input.count);
    await Promise.all(
      Array.from({ length: end - start }, async (_, offset) => {
        const index = start + offset;
        const stored = await store.getJson<StoredBlockResult>(storeKeys.loopItem(input.runId, input.blockId, index));
        data[index] = stored?.data ?? null;
      }),
    );
  }
  const put = await store.putJson(storeKeys.block(input.runId, input.blockId), { data });
  return { ref: put.key, bytes: put.bytes };
}

/** A workflow step's data is its child run's output. */
export async function adoptChildOutput(store: ResultStore, input: AdoptChildOutputInput): Promise<ResultRef> {
  const output = await store.getJson(storeKeys.output(input.childRunId));
  const put = await store.putJson(resultKey(input.runId, input.blockId, input.item), output === undefined ? {} : { data: output });
  return { ref: put.key, bytes: put.bytes };
}

/** With onError: continue the block's data is `{ error }`; stored here when no executor did. */
export async function recordFailure(store: ResultStore, input: RecordFailureInput): Promise<void> {
  const error = { type: input.error.type, message: input.error.message };
  await store.putJson(resultKey(input.runId, input.blockId, input.item), { data: { error }, error });
}

/** Writes the run's output: the winning response's data, or `{ <id>: data }` of the output blocks. */
export async function finishRun(store: ResultStore, input: FinishRunInput): Promise<ResultRef> {
  let output: unknown;
  if (input.responseBlock) {
    output = (await store.getJson<StoredBlockResult>(storeKeys.block(input.runId, input.responseBlock)))?.data ?? null;
  } else {
    const entries = await Promise.all(
      input.outputBlocks.map(async (id) => {
        const stored = await store.getJson<StoredBlockResult>(storeKeys.block(input.runId, id));
        return [id, stored?.data] as const;
      }),
    );
    output = Object.fromEntries(entries);
  }
  const put = await store.putJson(storeKeys.output(input.runId), output);
  return { ref: put.key, bytes: put.bytes };
}

/** A rerun's reused blocks: their results (and logs) copied from the earlier run. */
export async function copyResults(store: ResultStore, input: CopyResultsInput): Promise<void> {
  await Promise.all(
    input.blockIds.flatMap((id) => [
      store.getJson(storeKeys.block(input.fromRunId, id)).then((value) =>
        value === undefined ? undefined : store.putJson(storeKeys.block(input.toRunId, id), value),
      ),
      store.getJson(storeKeys.logs(input.fromRunId, id)).then((value) =>
        value === undefined ? undefined : store.putJson(storeKeys.logs(input.toRunId, id), value),
      ),
    ]),
  );
}

/** A scheduled run's trigger: the schedule's input from the pinned definition. */
export async function prepareScheduledRun(store: ResultStore, input: PrepareScheduledRunInput): Promise<void> {
  const definition = await store.requireJson<Definition>(storeKeys.definition(input.definitionHash));
  const schedule = definition.triggers?.schedules.find((s) => s.id === input.scheduleId);
  await store.putJson(storeKeys.trigger(input.runId), { type: 'schedule', data: schedule?.input ?? null, scheduleId: input.scheduleId });
}
