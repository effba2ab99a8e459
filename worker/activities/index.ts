/**
 * Activities are built from their dependencies (the Lambda client, the key
 * ring, the store), so the worker and the tests inject the real ones.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { KeyRing } from '../../shared/codec/index.ts';
import type { FunctionNames } from '../../shared/config/index.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import { adoptChildOutput, collectLoop, copyResults, finishRun, prepareScheduledRun, recordFailure } from './results.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { runBlock } from './run-block.ts';
import type {
  AdoptChildOutputInput,
  CollectLoopInput,
  CollectLoopResult,
  CopyResultsInput,
  FinishRunInput,
  PrepareScheduledRunInput,
  RecordFailureInput,
  ResultRef,
  RunBlockInput,
  RunBlockResult,
} from './types.ts';

export interface ActivityDeps {
  readonly lambda: LambdaClient;
  readonly keyRing: KeyRing;
  readonly functions: FunctionNames;
  readonly store: ResultStore;
}

export function createActivities(deps: ActivityDeps) {
  return {
    runBlock: (input: RunBlockInput): Promise<RunBlockResult> => runBlock(deps, input),
    // Store steps heartbeat too: a worker that dies during one is noticed after the heartbeat timeout.
    collectLoop: (input: CollectLoopInput): Promise<CollectLoopResult> => whileHeartbeating(() => collectLoop(deps.store, input)),
    adoptChildOutput: (input: AdoptChildOutputInput): Promise<ResultRef> => whileHeartbeating(() => adoptChildOutput(deps.store, input)),
    recordFailure: (input: RecordFailureInput): Promise<void> => whileHeartbeating(() => recordFailure(deps.store, input)),
    finishRun: (input: FinishRunInput): Promise<ResultRef> => whileHeartbeating(() => finishRun(deps.store, input)),
    copyResults: (input: CopyResultsInput): Promise<void> => whileHeartbeating(() => copyResults(deps.store, input)),
    prepareScheduledRun: (input: PrepareScheduledRunInput): Promise<void> => whileHeartbeating(() => prepareScheduledRun(deps.store, input)),
  };
}

export type BatonActivities = ReturnType<typeof createActivities>;
export type * from './types.ts';
