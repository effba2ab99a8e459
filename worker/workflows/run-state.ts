/** The run's visible state: what the `status` query returns. Pure. */
import type { BlockStatus } from '../../shared/definition/plan.ts';

export interface BlockError {
  readonly message: string;
  readonly type: string;
}

export interface BlockState {
  status: BlockStatus;
  attempts: number;
  startedAt?: number;
  endedAt?: number;
  error?: BlockError;
}

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunStatus {
  readonly runId: string;
  readonly workflow: string;
  readonly definitionHash: string;
  readonly status: RunState;
  readonly error?: BlockError & { readonly blockId: string };
  readonly blocks: Readonly<Record<string, Readonly<BlockState>>>;
}

export const TERMINAL_BLOCK_STATUSES: ReadonlySet<BlockStatus> = new Set(['completed', 'failed', 'skipped', 'cancelled']);
