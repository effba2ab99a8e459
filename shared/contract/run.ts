/**
 * The batonRun workflow as its clients see it: its input and result, the
 * `status` query and the `response` update, and the run's visible state.
 * Orchestration data only (ids, statuses, timings, references). Pure:
 * workflow code and clients import this alike.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BlockStatus, Plan } from './plan.ts';
import type { ResultRef } from './envelope.ts';
import type { BlockError, RunError } from './block-error.ts';
import type { RunLimit } from './concurrency.ts';
import type { ApprovalDecision, ApprovalDecisionRequest, ApprovalState } from './approval.ts';

/** The workflow types the Baton worker serves. */
export const BATON_RUN = 'batonRun';
export const BATON_LOOP_BATCH = 'batonLoopBatch';
/** The memo field that holds a run's published version (its plan's), for lists that do not query the run. */
export const VERSION_MEMO = 'batonVersion';

/** What a rerun takes from the earlier run, per block. */
export interface ReusedBlock {
  readonly status: BlockStatus;
  readonly taken?: number | 'else';
}

export interface BatonRunInput {
  /** The result-store run id; defaults to the workflow id. */
  readonly runId?: string;
  readonly plan: Plan;
  /** Plans of every workflow a workflow step may start, by name: pinned when the run started. */
  readonly workflows?: Readonly<Record<string, Plan>>;
  /** How deep this run is nested in workflow steps (0 for a run started by a trigger). */
  readonly depth?: number;
  /** Loop items per child workflow batch (tests set it low to exercise batching). */
  readonly itemsPerBatch?: number;
  /** A rerun: these blocks take their results from an earlier run and do not run again. */
  readonly reuse?: {
    readonly fromRunId: string;
    readonly blocks: Readonly<Record<string, ReusedBlock>>;
  };
  /** Started by a Temporal Schedule: the trigger data is the schedule's input, written by the first step. */
  readonly schedule?: { readonly id: string };
  /** The workflow has a concurrency limit: the gate the run entered, whose slot it waits for and frees. */
  readonly limit?: RunLimit;
}

export interface BatonRunResult {
  /** Reference to the run's output in the result store. */
  readonly output: ResultRef;
  /** The response block that won, if one did (a replayed sync call answers it without asking the run). */
  readonly response?: RunResponse;
  /** Set by runs that carry `response` when they have one; runs of older code lack it, so their answer is asked of the run. */
  readonly responseKnown?: true;
}

/** The response block that won. */
export interface RunResponse {
  readonly blockId: string;
}

export interface LoopProgress {
  total: number;
  completed: number;
  failed: number;
}

export interface BlockState {
  status: BlockStatus;
  attempts: number;
  startedAt?: number;
  endedAt?: number;
  error?: BlockError;
  /** branch: the case taken (its index, or "else"). */
  taken?: number | 'else';
  /** loop: how far its items are. */
  items?: LoopProgress;
  /** workflow: the child run's id. */
  childRunId?: string;
  /** approval: who may decide, until when, and the decision once taken. */
  approval?: ApprovalState;
  /** A rerun took this block's result from the earlier run; it did not run again. */
  reused?: boolean;
}

/** queued: waiting for a slot of the workflow's concurrency limit. */
export type RunState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunStatus {
  readonly runId: string;
  readonly workflow: string;
  readonly definitionHash: string;
  /** The published version the run started on (its plan's), and keeps. */
  readonly version?: number;
  readonly status: RunState;
  readonly error?: RunError;
  /** The response block that won, once one has completed. */
  readonly response?: RunResponse;
  /** With a concurrency limit: the order its gate granted this run its slot (1, 2, ... per gate). */
  readonly turn?: number;
  readonly blocks: Readonly<Record<string, Readonly<BlockState>>>;
}

export const TERMINAL_BLOCK_STATUSES: ReadonlySet<BlockStatus> = new Set(['completed', 'failed', 'skipped', 'cancelled']);

export const statusQuery = defineQuery<RunStatus>('status');
/** Resolves when a response block completes (or the run ends without one: null). */
export const responseUpdate = defineUpdate<RunResponse | null>('response');

/**
 * A decision on an approval block. Its validator refuses (ApplicationFailure
 * of a type in APPROVAL_REFUSALS) a block that is unknown, not an approval,
 * not waiting or already decided, and a key not among the approvers, so of
 * two decisions at once exactly one is accepted.
 */
export const decideUpdate = defineUpdate<ApprovalDecision, [ApprovalDecisionRequest]>('decide');

/** batonRun's signature, for typed client handles (`WorkflowHandle<BatonRunWorkflow>`) without importing workflow code. */
export type BatonRunWorkflow = (input: BatonRunInput) => Promise<BatonRunResult>;
