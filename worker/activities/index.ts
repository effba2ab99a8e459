/**
 * Activities are built from their dependencies (the Lambda client, the key
 * ring, the store), so the worker and the tests inject the real ones.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { KeyRing } from '../../shared/codec/index.ts';
import type { FunctionNames } from '../../shared/config/index.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import { finishRun } from './finish-run.ts';
import { runBlock } from './run-block.ts';
import type { FinishRunInput, ResultRef, RunBlockInput, RunBlockResult } from './types.ts';

export interface ActivityDeps {
  readonly lambda: LambdaClient;
  readonly keyRing: KeyRing;
  readonly functions: FunctionNames;
  readonly store: ResultStore;
}

export function createActivities(deps: ActivityDeps) {
  return {
    runBlock: (input: RunBlockInput): Promise<RunBlockResult> => runBlock(deps, input),
    finishRun: (input: FinishRunInput): Promise<ResultRef> => finishRun(deps.store, input),
  };
}

export type BatonActivities = ReturnType<typeof createActivities>;
export type * from './types.ts';
