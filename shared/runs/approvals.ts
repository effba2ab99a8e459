/**
 * Deciding approval blocks from outside the run (API, link, CLI): the run
 * decides whether a decision is accepted (the `decide` update's validator),
 * and this maps its refusal to an ApprovalError. A comment is user data, so
 * it goes to the result store first and the update carries its key's id.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  APPROVAL_REFUSALS,
  decideUpdate,
  storeKeys,
  type ApprovalDecision,
  type ApprovalDecisionRequest,
  type ApprovalState,
  type BlockStatus,
} from '../contract/index.ts';
import { ApprovalError, type ApprovalErrorReason } from '../errors/index.ts';
import type { ResultStore } from '../store/index.ts';
import { runStatus } from './operations.ts';

export const MAX_COMMENT_CHARS = 10_000;

const REASON_BY_REFUSAL: Readonly<Record<string, ApprovalErrorReason>> = {
  [APPROVAL_REFUSALS.unknownBlock]: 'block_not_found',
  [APPROVAL_REFUSALS.notApproval]: 'not_an_approval',
  [APPROVAL_REFUSALS.forbidden]: 'not_an_approver',
  [APPROVAL_REFUSALS.notWaiting]: 'approval_not_waiting',
  [APPROVAL_REFUSALS.decided]: 'approval_decided',
};

export interface DecideOptions {
  readonly client: Client;
  readonly store: ResultStore;
  readonly runId: string;
  readonly blockId: string;
  readonly approved: boolean;
  readonly by: string;
  readonly via: ApprovalDecisionRequest['via'];
  readonly comment?: string | undefined;
}

export interface DecisionView {
  readonly runId: string;
  readonly blockId: string;
  readonly approved: boolean;
  readonly by: string;
  readonly at: string;
}

const ended = (runId: string, status: string) => new ApprovalError('run_ended', `run "${runId}" has already ended (${status})`, runId);

export async function decideApproval(options: DecideOptions): Promise<DecisionView> {
  const { client, runId, blockId } = options;
  const status = await runStatus(client, runId);
  if (status.status !== 'running' && status.status !== 'queued') throw ended(runId, status.status);
  const approvers = Object.hasOwn(status.blocks, blockId) ? status.blocks[blockId]?.approval?.approvers : undefined;
  // Refused before anything is written; the run's validator checks again, and decides the rest.
  if (options.via === 'key' && approvers && !approvers.includes(options.by)) {
    throw new ApprovalError('not_an_approver', `API key "${options.by}" is not an approver of block "${blockId}"`, runId, blockId);
  }
  let commentRef: string | undefined;
  if (options.comment !== undefined && options.comment !== '') {
    if (!Object.hasOwn(status.blocks, blockId)) throw new ApprovalError('block_not_found', `the run has no block "${blockId}"`, runId, blockId);
    commentRef = randomUUID();
    await options.store.putJson(storeKeys.approvalComment(status.runId, blockId, commentRef), { comment: options.comment });
  }
  const request: ApprovalDecisionRequest = { blockId, approved: options.approved, by: options.by, via: options.via, ...(commentRef ? { commentRef } : {}) };
  let decision: ApprovalDecision;
  try {
    decision = await client.workflow.getHandle(runId).executeUpdate(decideUpdate, { args: [request] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const reason = REASON_BY_REFUSAL[error.cause.type ?? ''];
      if (reason) throw new ApprovalError(reason, error.cause.message, runId, blockId);
    }
    // It ended between the status and the update.
    if (error instanceof WorkflowNotFoundError) throw ended(runId, 'closed');
    throw error;
  }
  return { runId, blockId, approved: decision.approved, by: decision.by, at: new Date(decision.at).toISOString() };
}

export interface ApprovalView {
  readonly runId: string;
  readonly workflow: string;
  readonly blockId: string;
  /** The run's status, and the block's: waiting while a decision can be made. */
  readonly runStatus: string;
  readonly status: BlockStatus;
  readonly approvers?: readonly string[];
  readonly expiresAt?: string;
  readonly decision?: { readonly approved: boolean; readonly by: string; readonly at: string };
}

export function approvalView(runId: string, workflow: string, runState: string, blockId: string, state: { status: BlockStatus; approval?: ApprovalState }): ApprovalView {
  const approval = state.approval;
  return {
    runId,
    workflow,
    blockId,
    runStatus: runState,
    status: state.status,
    ...(approval?.approvers ? { approvers: approval.approvers } : {}),
    ...(approval?.expiresAt !== undefined ? { expiresAt: new Date(approval.expiresAt).toISOString() } : {}),
    ...(approval?.decision
      ? { decision: { approved: approval.decision.approved, by: approval.decision.by, at: new Date(approval.decision.at).toISOString() } }
      : {}),
  };
}

/** What a resume link shows: the approval's block, whether it waits, and its decision once taken. */
export async function approvalInfo(client: Client, runId: string, blockId: string): Promise<ApprovalView> {
  const status = await runStatus(client, runId);
  const state = Object.hasOwn(status.blocks, blockId) ? status.blocks[blockId] : undefined;
  if (!state) throw new ApprovalError('block_not_found', `the run has no block "${blockId}"`, runId, blockId);
  return approvalView(runId, status.workflow, status.status, blockId, state);
}
