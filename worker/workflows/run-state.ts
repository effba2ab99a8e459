/** The run's visible state: what the `status` query returns. Pure. */
import type { BlockStatus } from '../../shared/definition/plan.ts';

export interface BlockError {
  readonly message: string;
  readonly type: string;
  /** A failed child run's innermost message (workflow blocks only). */
  readonly rootMessage?: string;
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
  /** A rerun took this block's result from the earlier run; it did not run again. */
  reused?: boolean;
}

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunStatus {
  readonly runId: string;
  readonly workflow: string;
  readonly definitionHash: string;
  readonly status: RunState;
  readonly error?: BlockError & { readonly blockId: string };
  /** The response block that won, once one has completed. */
  readonly response?: { readonly blockId: string };
  readonly blocks: Readonly<Record<string, Readonly<BlockState>>>;
}

export const TERMINAL_BLOCK_STATUSES: ReadonlySet<BlockStatus> = new Set(['completed', 'failed', 'skipped', 'cancelled']);
