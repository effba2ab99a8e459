/**
 * One attempt of one step: an executor call, and for workflow steps the
 * child run it leads to. Shared by batonRun and the loop batches.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  ActivityCancellationType,
  type RetryPolicy,
} from '@temporalio/workflow';
import {
  ACTIVITY_HEARTBEAT_TIMEOUT_MS,
  BATON_RUN,
  BLOCK_FAILED,
  DEFAULT_TIMEOUT_MS,
  EXECUTOR_MARGIN_MS,
  LOCAL_RETRY_THRESHOLD_MS,
  LOCAL_STEP_MAX_TIMEOUT_MS,
  MAX_WORKFLOW_DEPTH,
  WORKFLOW_TASK_TIMEOUT_MS,
  type BatonActivities,
  type BatonRunInput,
  type BlockError,
  type BlockResult,
  type BlockStatus,
  type Plan,
  type RunBlockInput,
  type RunFailureDetails,
  type RunOutputSpec,
  type StepPlan,
} from '../../shared/contract/index.ts';
import { describeFailure, type AttemptOutcome } from './attempts.ts';

/**
 * The patch a run takes when it starts on code that runs short steps as local
 * activities. A run checks it once, at its start, so a run that started on
 * regular activities (in flight when the worker was upgraded, or a recorded
 * history) finishes on them.
 */
export const LOCAL_ACTIVITIES_PATCH = 'local-activities';

/** The error type of a workflow step whose child run was cancelled directly, not with its parent. */
export const CHILD_RUN_CANCELLED = 'ChildRunCancelled';

export const INFRASTRUCTURE_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 10,
  nonRetryableErrorTypes: ['ExecutorFatal'],
};

const STORE_TIMEOUT = '2m';
const regularStore = proxyActivities<BatonActivities>({
  startToCloseTimeout: STORE_TIMEOUT,
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT_MS,
  retry: INFRASTRUCTURE_RETRY,
});
const localStore = proxyLocalActivities<BatonActivities>({
  startToCloseTimeout: STORE_TIMEOUT,
  retry: INFRASTRUCTURE_RETRY,
  localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/**
 * The store steps (a few reads and writes of the result store, no user code):
 * local activities on a run that took LOCAL_ACTIVITIES_PATCH. Were they
 * regular, a store step scheduled while a local block still runs would wait
 * for that block to free the workflow task (a failing block's recordFailure
 * would hold up the cancelling of its siblings for the task heartbeat).
 */
export function storeActivities(localSteps: boolean): BatonActivities {
  return localSteps ? localStore : regularStore;
}

/** Everything one step needs to know about its run: orchestration data only. */
export interface StepTarget {
  readonly runId: string;
  /** The run's Temporal workflow id, when it is not runId (a scheduled run): what approval links name. */
  readonly workflowId?: string;
  readonly workflow: string;
  readonly definitionHash: string;
  readonly blockId: string;
  readonly step: StepPlan;
  /** Statuses of the blocks the step mentions. */
  readonly scope: Record<string, BlockStatus>;
  readonly item?: number;
  readonly runError?: RunBlockInput['runError'];
  /** Plans a workflow step may start, by name (pinned when the run started). */
  readonly workflows: Readonly<Record<string, Plan>>;
  readonly depth: number;
  /** Told the child run id as soon as it is known (for the status query). */
  readonly onChild?: (childRunId: string) => void;
  /** This step completing ends the run: its output, for the executor to write (batonRun sets it only on steps that end there). */
  readonly finish?: RunOutputSpec;
}

/** A completed attempt: the reply's reference, decision and (when `finish` asked) the run's output. */
export type StepResult = Omit<BlockResult, 'ok'>;

/** Whether a step's attempt is short enough to run as a local activity (shared/contract/limits.ts says why). */
export function isShortStep(step: StepPlan): boolean {
  return (step.timeoutMs ?? DEFAULT_TIMEOUT_MS) <= LOCAL_STEP_MAX_TIMEOUT_MS;
}

/** The executor call of one step: a local activity when the run took the patch and the step is short, else a regular one. */
function executorActivities(step: StepPlan, localSteps: boolean): Pick<BatonActivities, 'runBlock'> {
  const startToCloseTimeout = (step.timeoutMs ?? DEFAULT_TIMEOUT_MS) + EXECUTOR_MARGIN_MS;
  if (localSteps && isShortStep(step)) {
    return proxyLocalActivities<BatonActivities>({
      startToCloseTimeout,
      retry: INFRASTRUCTURE_RETRY,
      localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
      // As a regular activity's default: a failing run does not wait for its cancelled blocks' executors.
      cancellationType: ActivityCancellationType.TRY_CANCEL,
    });
  }
  return proxyActivities<BatonActivities>({
    startToCloseTimeout,
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    retry: INFRASTRUCTURE_RETRY,
  });
}

function fail(type: string, message: string, retryable: boolean): AttemptOutcome<never> {
  const error: BlockError = { type, message, retryable };
  return { ok: false, error };
}

function childFailureDetails(error: ChildWorkflowFailure): RunFailureDetails | undefined {
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== BLOCK_FAILED) return undefined;
  const details = cause.details?.[0] as Partial<RunFailureDetails> | undefined;
  if (typeof details?.blockId !== 'string' || typeof details.rootMessage !== 'string') return undefined;
  return { blockId: details.blockId, type: details.type ?? 'Error', rootMessage: details.rootMessage };
}

export function childRunIdOf(target: StepTarget, attempt: number): string {
  const item = target.item === undefined ? '' : `-${target.item}`;
  return `${target.runId}-${target.blockId}${item}${attempt > 1 ? `-a${attempt}` : ''}`;
}

/** One attempt; `localSteps`: the run took LOCAL_ACTIVITIES_PATCH, so a short step runs as a local activity. */
export async function runStepAttempt(target: StepTarget, attempt: number, localSteps: boolean): Promise<AttemptOutcome<StepResult>> {
  const { step } = target;
  const childRunId = step.type === 'workflow' ? childRunIdOf(target, attempt) : undefined;
  if (step.type === 'workflow') {
    if (!step.workflow || !target.workflows[step.workflow]) {
      return fail('UnknownWorkflow', `workflow "${step.workflow ?? ''}" was not found when the run started`, false);
    }
    if (target.depth + 1 > MAX_WORKFLOW_DEPTH) {
      return fail('NestingTooDeep', `workflow runs nest deeper than ${MAX_WORKFLOW_DEPTH}`, false);
    }
  }
  const reply = await executorActivities(step, localSteps).runBlock({
    runId: target.runId,
    ...(target.workflowId !== undefined ? { workflowId: target.workflowId } : {}),
    workflow: target.workflow,
    definitionHash: target.definitionHash,
    blockId: target.blockId,
    type: step.type,
    attempt,
    timeoutMs: step.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    scope: target.scope,
    ...(target.item !== undefined ? { item: target.item } : {}),
    ...(childRunId !== undefined ? { childRunId } : {}),
    ...(target.runError !== undefined ? { runError: target.runError } : {}),
    ...(target.finish !== undefined ? { finish: target.finish } : {}),
  });
  if (!reply.ok) return { ok: false, error: reply.error };
  if (step.type !== 'workflow' || childRunId === undefined || !step.workflow) {
    return {
      ok: true,
      value: {
        ref: reply.ref,
        bytes: reply.bytes,
        ...(reply.decision ? { decision: reply.decision } : {}),
        ...(reply.output ? { output: reply.output } : {}),
      },
    };
  }
  target.onChild?.(childRunId);
  const plan = target.workflows[step.workflow] as Plan;
  try {
    // batonRun is started by name: importing it here would make a module cycle.
    const childInput: BatonRunInput = { runId: childRunId, plan, workflows: target.workflows, depth: target.depth + 1 };
    await executeChild(BATON_RUN, {
      workflowId: childRunId,
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT_MS,
      args: [childInput],
      ...(step.timeoutMs !== undefined ? { workflowExecutionTimeout: step.timeoutMs } : {}),
    });
  } catch (error) {
    if (!(error instanceof ChildWorkflowFailure)) throw error;
    if (isCancellation(error)) {
      // Cancelled with this step (its run failed or was cancelled): the step is cancelled too.
      if (CancellationScope.current().consideredCancelled) throw error;
      // Cancelled on its own, from outside: the step failed (the block after it must not run without
      // data), and is not tried again, which would start the child anew against that cancel.
      return fail(CHILD_RUN_CANCELLED, `child run ${childRunId} was cancelled`, false);
    }
    const details = childFailureDetails(error);
    if (!details) {
      const cause = describeFailure(error);
      return fail(cause.type, `child run ${childRunId}: ${cause.message}`, true);
    }
    return {
      ok: false,
      error: {
        type: details.type,
        message: `child run ${childRunId} failed at block "${details.blockId}": ${details.rootMessage}`,
        retryable: true,
        rootMessage: details.rootMessage,
      },
    };
  }
  const adopted = await storeActivities(localSteps).adoptChildOutput({
    runId: target.runId,
    blockId: target.blockId,
    childRunId,
    ...(target.item !== undefined ? { item: target.item } : {}),
  });
  return { ok: true, value: adopted };
}
