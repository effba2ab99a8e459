import { BatonError } from './baton-error.ts';

/** Why a decision on an approval block was refused; the API answers with the status of APPROVAL_ERROR_STATUS. */
export type ApprovalErrorReason =
  | 'block_not_found'
  | 'not_an_approval'
  | 'not_an_approver'
  | 'approval_not_waiting'
  | 'approval_decided'
  | 'run_ended'
  | 'approval_link_invalid';

export const APPROVAL_ERROR_STATUS: Readonly<Record<ApprovalErrorReason, number>> = {
  block_not_found: 404,
  not_an_approval: 400,
  not_an_approver: 403,
  approval_not_waiting: 409,
  approval_decided: 409,
  run_ended: 409,
  approval_link_invalid: 404,
};

export class ApprovalError extends BatonError {
  override readonly name = 'ApprovalError';
  constructor(
    readonly reason: ApprovalErrorReason,
    message: string,
    readonly runId?: string,
    readonly blockId?: string,
  ) {
    super(message);
  }
}
