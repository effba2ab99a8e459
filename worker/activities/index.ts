/**
 * Activities are built from their dependencies (the Lambda client, the key
 * ring, the store), so the worker and the tests inject the real ones.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Client } from '@temporalio/client';
import type { KeyRing } from '../../shared/codec/index.ts';
import type { FunctionNames } from '../../shared/config/index.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import { adoptChildOutput, collectLoop, copyResults, finishRun, prepareScheduledRun, recordFailure } from './results.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { recordApproval } from './approval.ts';
import { runBlock } from './run-block.ts';
import { createGateActivities } from './gate.ts';
import type { BatonActivities, GateActivities } from '../../shared/contract/index.ts';

export interface ActivityDeps {
  readonly lambda: LambdaClient;
  readonly keyRing: KeyRing;
  readonly functions: FunctionNames;
  readonly store: ResultStore;
  /** For the concurrency gates' activities: a client on the worker's own connection, and its task queue. */
  readonly temporal?: { readonly client: Client; readonly taskQueue: string };
}

/** The activities of shared/contract/activities.ts, over the injected dependencies. */
export function createActivities(deps: ActivityDeps): BatonActivities & Partial<GateActivities> {
  return {
    ...(deps.temporal ? createGateActivities(deps.temporal.client, deps.temporal.taskQueue) : {}),
    runBlock: (input) => runBlock(deps, input),
    // Store steps heartbeat too: a worker that dies during one is noticed after the heartbeat timeout.
    collectLoop: (input) => whileHeartbeating(() => collectLoop(deps.store, input)),
    adoptChildOutput: (input) => whileHeartbeating(() => adoptChildOutput(deps.store, input)),
    recordFailure: (input) => whileHeartbeating(() => recordFailure(deps.store, input)),
    recordApproval: (input) => whileHeartbeating(() => recordApproval(deps.store, input)),
    finishRun: (input) => whileHeartbeating(() => finishRun(deps.store, input)),
    copyResults: (input) => whileHeartbeating(() => copyResults(deps.store, input)),
    prepareScheduledRun: (input) => whileHeartbeating(() => prepareScheduledRun(deps.store, input)),
  };
}
