/**
 * Run state as the API shows it: every time as an ISO 8601 string (the
 * workflow keeps epoch milliseconds, which are cheaper in its history).
 */
import type { BlockState, RunStatus } from '../../shared/contract/index.ts';

export interface ApprovalStateView {
  readonly approvers?: readonly string[];
  readonly expiresAt?: string;
  readonly decision?: { readonly approved: boolean; readonly by: string; readonly at: string };
}
export type BlockStateView = Omit<BlockState, 'startedAt' | 'endedAt' | 'approval'> & { startedAt?: string; endedAt?: string; approval?: ApprovalStateView };
/** `approvals`: the approval blocks waiting for a decision now. */
export type RunStatusView = Omit<RunStatus, 'blocks'> & {
  blocks: Record<string, BlockStateView>;
  approvals?: Array<{ blockId: string } & Omit<ApprovalStateView, 'decision'>>;
};

const iso = (epochMs: number | undefined) => (epochMs === undefined ? {} : { value: new Date(epochMs).toISOString() });

function approvalStateView(approval: NonNullable<BlockState['approval']>): ApprovalStateView {
  const expiresAt = iso(approval.expiresAt).value;
  const { decision } = approval;
  return {
    ...(approval.approvers ? { approvers: approval.approvers } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(decision ? { decision: { approved: decision.approved, by: decision.by, at: new Date(decision.at).toISOString() } } : {}),
  };
}

export function blockStateView(state: Readonly<BlockState>): BlockStateView {
  const { startedAt, endedAt, approval, ...rest } = state;
  const started = iso(startedAt).value;
  const ended = iso(endedAt).value;
  return {
    ...rest,
    ...(started ? { startedAt: started } : {}),
    ...(ended ? { endedAt: ended } : {}),
    ...(approval ? { approval: approvalStateView(approval) } : {}),
  };
}

export function runStatusView(status: RunStatus): RunStatusView {
  const blocks = Object.fromEntries(Object.entries(status.blocks).map(([id, state]) => [id, blockStateView(state)]));
  const approvals = Object.entries(blocks)
    .filter(([, state]) => state.status === 'waiting' && state.approval)
    .map(([blockId, state]) => {
      const { decision: _decision, ...pending } = state.approval!;
      return { blockId, ...pending };
    });
  return { ...status, blocks, ...(approvals.length > 0 ? { approvals } : {}) };
}

export function runLinks(runId: string) {
  return { self: `/v1/runs/${runId}`, output: `/v1/runs/${runId}/output` };
}
