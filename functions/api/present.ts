/**
 * Run state as the API shows it: every time as an ISO 8601 string (the
 * workflow keeps epoch milliseconds, which are cheaper in its history).
 */
import type { BlockState, RunStatus } from '../../shared/contract/index.ts';

export type BlockStateView = Omit<BlockState, 'startedAt' | 'endedAt'> & { startedAt?: string; endedAt?: string };
export type RunStatusView = Omit<RunStatus, 'blocks'> & { blocks: Record<string, BlockStateView> };

const iso = (epochMs: number | undefined) => (epochMs === undefined ? {} : { value: new Date(epochMs).toISOString() });

export function blockStateView(state: Readonly<BlockState>): BlockStateView {
  const { startedAt, endedAt, ...rest } = state;
  const started = iso(startedAt).value;
  const ended = iso(endedAt).value;
  return { ...rest, ...(started ? { startedAt: started } : {}), ...(ended ? { endedAt: ended } : {}) };
}

export function runStatusView(status: RunStatus): RunStatusView {
  return { ...status, blocks: Object.fromEntries(Object.entries(status.blocks).map(([id, state]) => [id, blockStateView(state)])) };
}

export function runLinks(runId: string) {
  return { self: `/v1/runs/${runId}`, output: `/v1/runs/${runId}/output` };
}
