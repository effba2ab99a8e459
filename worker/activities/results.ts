/**
 * Store-side steps the worker does itself (no user code involved): assembling
 * a loop's data from its items, taking a child run's output as a block's
 * data, recording a failure the executor could not record, and the run output.
 */
import { writeRunOutput } from '../../shared/store/run-output.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import type { Definition } from '../../shared/definition/schema.ts';
import {
  storeKeys,
  type AdoptChildOutputInput,
  type CollectLoopInput,
  type CollectLoopResult,
  type CopyResultsInput,
  type FinishRunInput,
  type PrepareScheduledRunInput,
  type RecordFailureInput,
  type ResultRef,
  type StoredBlockResult,
} from '../../shared/contract/index.ts';

const READ_CONCURRENCY = 32;

function resultKey(runId: string, blockId: string, item: number | undefined): string {
  return item === undefined ? storeKeys.block(runId, blockId) : storeKeys.loopItem(runId, blockId, item);
}

/** The loop's data: each item's data, in item order (and the run's output, when the loop ends the run). */
export async function collectLoop(store: ResultStore, input: CollectLoopInput): Promise<CollectLoopResult> {
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
  const result = { ref: put.key, bytes: put.bytes };
  if (!input.finish) return result;
  // The loop was the run's last step: its output now, rather than in a step of its own.
  return { ...result, output: await writeRunOutput(store, input.runId, input.finish, { blockId: input.blockId, data }) };
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

/** Writes the run's output when no executor did (see shared/executor/run-output.ts). */
export async function finishRun(store: ResultStore, input: FinishRunInput): Promise<ResultRef> {
  const { runId, ...spec } = input;
  return writeRunOutput(store, runId, spec);
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
  await store.putJson(storeKeys.trigger(input.runId), {
    type: 'schedule',
    data: schedule?.input ?? null,
    scheduleId: input.scheduleId,
    ...(input.version !== undefined ? { version: input.version } : {}),
  });
}
