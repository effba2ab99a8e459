/**
 * Approval blocks in the workflow itself: the block waits, durably (a
 * condition, with a timer when it has a timeout), until the `decide` update
 * brings a decision. The update's validator refuses what cannot be decided
 * (unknown block, not an approval, a key not among the approvers, not
 * waiting, decided already), so of two decisions at once exactly one is
 * accepted; the handler checks again, as validators do not run on replay.
 * The decision becomes the block's data in the store (recordApproval), where
 * the comment already is: Temporal sees names, times and a reference only.
 */
import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import {
  APPROVAL_REFUSALS,
  APPROVAL_REJECTED,
  APPROVAL_TIMED_OUT,
  DECIDED_BY_TIMEOUT,
  decideUpdate,
  type ApprovalBlockPlan,
  type ApprovalDecision,
  type ApprovalDecisionRequest,
  type ApprovalRefusal,
  type BlockError,
  type BlockState,
  type PlanBlock,
} from '../../shared/contract/index.ts';
import type { StepEnd } from './attempts.ts';
import { storeActivities, type StepResult } from './steps.ts';
import { runMetrics } from './run-metrics.ts';

interface Slot {
  decision?: ApprovalDecision & { readonly commentRef?: string };
}

export interface ApprovalDesk {
  /** Waits for the block's decision (or its timeout) and records it as the block's data. */
  wait(block: ApprovalBlockPlan, state: BlockState, runId: string, workflow: string): Promise<StepEnd<StepResult>>;
}

function refuse(type: ApprovalRefusal, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Registers the `decide` update for the run's blocks; every run has it, so a decision sent to any run gets a clear answer. */
export function openApprovalDesk(
  blocks: ReadonlyMap<string, PlanBlock>,
  stateOf: (id: string) => BlockState | undefined,
  localSteps: boolean,
): ApprovalDesk {
  const waiting = new Map<string, Slot>();

  function check(request: ApprovalDecisionRequest): Slot {
    const block = blocks.get(request.blockId);
    const state = stateOf(request.blockId);
    if (!block || !state) return refuse(APPROVAL_REFUSALS.unknownBlock, `the run has no block "${request.blockId}"`);
    if (block.type !== 'approval') return refuse(APPROVAL_REFUSALS.notApproval, `block "${block.id}" is a ${block.type} block, not an approval`);
    if (request.via === 'key' && block.approvers && !block.approvers.includes(request.by)) {
      return refuse(APPROVAL_REFUSALS.forbidden, `API key "${request.by}" is not an approver of block "${block.id}"`);
    }
    const decision = state.approval?.decision;
    if (decision) {
      return refuse(APPROVAL_REFUSALS.decided, `block "${block.id}" was already ${decision.approved ? 'approved' : 'rejected'} by ${decision.by}`);
    }
    const slot = waiting.get(block.id);
    if (!slot) return refuse(APPROVAL_REFUSALS.notWaiting, `block "${block.id}" is not waiting for a decision (it is ${state.status})`);
    return slot;
  }

  setHandler(
    decideUpdate,
    (request) => {
      const slot = check(request);
      const decision: ApprovalDecision = { approved: request.approved, by: request.by, at: Date.now() };
      slot.decision = { ...decision, ...(request.commentRef !== undefined ? { commentRef: request.commentRef } : {}) };
      const state = stateOf(request.blockId);
      if (state?.approval) state.approval.decision = decision;
      return decision;
    },
    { validator: (request) => void check(request) },
  );

  return {
    async wait(block, state, runId, workflow) {
      const tags = { workflow };
      state.status = 'waiting';
      runMetrics.approvalRequested(tags);
      const expiresAt = block.timeoutAfterMs === undefined ? undefined : Date.now() + block.timeoutAfterMs;
      state.approval = { ...(block.approvers ? { approvers: block.approvers } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) };
      const slot: Slot = {};
      waiting.set(block.id, slot);
      try {
        if (block.timeoutAfterMs === undefined) await condition(() => slot.decision !== undefined);
        else await condition(() => slot.decision !== undefined, block.timeoutAfterMs);
      } catch (error) {
        if (isCancellation(error)) {
          runMetrics.approvalDecided({ ...tags, outcome: 'cancelled' });
          return { status: 'cancelled' };
        }
        throw error;
      } finally {
        // From here on a decision finds the block decided (or, after onTimeout: fail, not waiting).
        waiting.delete(block.id);
      }
      // A decision that came with the timer still wins: it was accepted first.
      let decision = slot.decision;
      const timedOut = decision === undefined;
      if (!decision) {
        if (block.onTimeout === 'fail') {
          runMetrics.approvalDecided({ ...tags, outcome: 'timed_out' });
          return { status: 'failed', error: { type: APPROVAL_TIMED_OUT, message: `no decision within ${block.timeoutAfterMs} ms` } };
        }
        decision = { approved: block.onTimeout === 'approve', by: DECIDED_BY_TIMEOUT, at: Date.now() };
        state.approval.decision = { approved: decision.approved, by: decision.by, at: decision.at };
      }
      runMetrics.approvalDecided({ ...tags, outcome: timedOut ? 'timed_out' : decision.approved ? 'approved' : 'rejected' });
      const error: BlockError | undefined = decision.approved ? undefined : { type: APPROVAL_REJECTED, message: `rejected by ${decision.by}` };
      const recorded = await CancellationScope.nonCancellable(() =>
        storeActivities(localSteps).recordApproval({
          runId,
          blockId: block.id,
          approved: decision.approved,
          by: decision.by,
          at: decision.at,
          ...(decision.commentRef !== undefined ? { commentRef: decision.commentRef } : {}),
          ...(error ? { error } : {}),
        }),
      );
      return error ? { status: 'failed', error } : { status: 'completed', value: recorded };
    },
  };
}

/** A rejection's data keeps the decision beside the error: the run must not overwrite it with `{ error }` alone. */
export function recordsOwnFailure(block: PlanBlock, error: BlockError): boolean {
  return block.type === 'approval' && error.type === APPROVAL_REJECTED;
}
