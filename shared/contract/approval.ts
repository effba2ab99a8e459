/**
 * Approval blocks as the workflow, the API and the CLI agree on them: the
 * decision a person sends (by the `decide` update, in run.ts), what the
 * status shows while the block waits, and the error types a refused
 * decision carries (the API maps them to 404, 400, 403 and 409). Only
 * ids, names and times cross Temporal: a comment travels as a reference
 * to the result store (storeKeys.approvalComment). Pure.
 */

/** Who decided, besides an API key's name: the one-time link, the CLI, or the block's timeout. */
export const DECIDED_BY_LINK = 'link';
export const DECIDED_BY_CLI = 'cli';
export const DECIDED_BY_TIMEOUT = 'timeout';

/** The error type of a block that was rejected (by a person or onTimeout: reject). */
export const APPROVAL_REJECTED = 'ApprovalRejected';
/** The error type of a block that waited past its timeout with onTimeout: fail. */
export const APPROVAL_TIMED_OUT = 'ApprovalTimedOut';

/** Why the run refused a decision: the ApplicationFailure type the update fails with. */
export const APPROVAL_REFUSALS = {
  /** The plan has no such block. */
  unknownBlock: 'ApprovalUnknownBlock',
  /** The block is not an approval. */
  notApproval: 'ApprovalNotAnApproval',
  /** The caller's key is not among the block's approvers. */
  forbidden: 'ApprovalForbidden',
  /** The block has not started waiting (pending) or will not (skipped, cancelled). */
  notWaiting: 'ApprovalNotWaiting',
  /** Another decision (or the timeout) came first. */
  decided: 'ApprovalDecided',
} as const;
export type ApprovalRefusal = (typeof APPROVAL_REFUSALS)[keyof typeof APPROVAL_REFUSALS];

export interface ApprovalDecisionRequest {
  readonly blockId: string;
  readonly approved: boolean;
  /** The API key's name, `link` or `cli`. */
  readonly by: string;
  /** Checked against the block's approvers only when the decision comes with an API key. */
  readonly via: 'key' | 'link' | 'cli';
  /** The decision's id under storeKeys.approvalComment, when it has a comment. */
  readonly commentRef?: string;
}

/** A decision the run took, as its status shows it (the comment stays in the store). */
export interface ApprovalDecision {
  readonly approved: boolean;
  readonly by: string;
  /** Epoch ms (workflow time). */
  readonly at: number;
}

/** An approval block's part of its BlockState. */
export interface ApprovalState {
  readonly approvers?: readonly string[];
  /** Epoch ms when the timeout decides, if the block has one. */
  readonly expiresAt?: number;
  decision?: ApprovalDecision;
}

/** The block's data: `{ approved, by, at, comment }` (docs/language.md). */
export interface ApprovalData {
  readonly approved: boolean;
  readonly by: string;
  /** ISO 8601. */
  readonly at: string;
  readonly comment: string | null;
}
