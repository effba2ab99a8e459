/**
 * The run rules of docs/language.md as pure functions over the plan and the blocks'
 * states, so they can be read and tested apart from Temporal:
 * - a block runs once every predecessor has finished and at least one of them
 *   completed (a branch counts as completed only for the blocks on the side it
 *   took); if all were skipped, it is skipped too;
 * - a block that fails without `onError: continue` fails the run, unless it is
 *   an onError handler (those run on a run that is failing already);
 * - a cancelled run ends cancelled, else a failed one failed, else completed;
 *   what pending blocks become then depends on how it ended.
 * No imports but types and constants of the contract: batonRun applies what
 * these decide.
 */
import {
  TERMINAL_BLOCK_STATUSES,
  type BlockStatus,
  type BranchBlockPlan,
  type PlanBlock,
} from '../../shared/contract/index.ts';

/** What the rules look at in a block's state. */
export interface RuleState {
  readonly status: BlockStatus;
  /** branch: the case it took (its index, or "else"). */
  readonly taken?: number | 'else';
}

/** A block's state by id; throws for an id the plan does not have. */
export type StateOf = (id: string) => RuleState;

/** Every id a branch lists on any of its sides. */
export function branchTargets(branch: BranchBlockPlan): readonly string[] {
  return [...branch.cases.flatMap((c) => c.then), ...branch.else];
}

/** The ids on the side a branch took. */
export function takenTargets(branch: BranchBlockPlan, taken: number | 'else' | undefined): readonly string[] {
  if (taken === 'else') return branch.else;
  return taken === undefined ? [] : (branch.cases[taken]?.then ?? []);
}

/** How a finished predecessor looks from one of its successors. */
export function edgeStatus(from: PlanBlock, fromState: RuleState, to: string): BlockStatus {
  if (from.type !== 'branch' || fromState.status !== 'completed') return fromState.status;
  // A plain after-edge on a branch waits for the branch, whichever side it took.
  if (!branchTargets(from).includes(to)) return 'completed';
  return takenTargets(from, fromState.taken).includes(to) ? 'completed' : 'skipped';
}

export type Readiness = 'waiting' | 'ready' | 'skipped';

/** Whether a pending block can run now, must be skipped, or waits for a predecessor. */
export function readiness(block: PlanBlock, blocks: ReadonlyMap<string, PlanBlock>, stateOf: StateOf): Readiness {
  if (!block.predecessors.every((id) => TERMINAL_BLOCK_STATUSES.has(stateOf(id).status))) return 'waiting';
  const seen = block.predecessors.map((id) => {
    const from = blocks.get(id);
    return from ? edgeStatus(from, stateOf(id), block.id) : stateOf(id).status;
  });
  return seen.length > 0 && seen.every((status) => status === 'skipped') ? 'skipped' : 'ready';
}

/** One thing the rules decide for a pending block. */
export type Move = { readonly kind: 'skip'; readonly id: string } | { readonly kind: 'start'; readonly block: PlanBlock };

/**
 * What to do with the pending blocks of `group`, as things stand, in the order
 * it must be done (plan order, pass by pass: the order commands reach history,
 * and what each started block is told about the blocks it mentions).
 * A skip can make other blocks ready or skipped, earlier in the plan too, so
 * the plan is walked again until nothing changes; a started block counts as
 * running from then on.
 */
export function nextMoves(plan: readonly PlanBlock[], group: (block: PlanBlock) => boolean, stateOf: StateOf): Move[] {
  const blocks = new Map(plan.map((block) => [block.id, block]));
  const decided = new Map<string, BlockStatus>();
  const current: StateOf = (id) => {
    const status = decided.get(id);
    return status === undefined ? stateOf(id) : { ...stateOf(id), status };
  };
  const moves: Move[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const block of plan) {
      if (current(block.id).status !== 'pending' || !group(block)) continue;
      const ready = readiness(block, blocks, current);
      if (ready === 'skipped') {
        decided.set(block.id, 'skipped');
        moves.push({ kind: 'skip', id: block.id });
        changed = true;
      } else if (ready === 'ready') {
        decided.set(block.id, 'running');
        moves.push({ kind: 'start', block });
      }
    }
  }
  return moves;
}

/** Whether a block that failed after its retries fails the run. */
export function failsRun(block: PlanBlock, runningAsHandler: boolean): boolean {
  return block.onError !== 'continue' && !runningAsHandler;
}

export type RunEnd = 'cancelled' | 'failed' | 'completed';

/** How the run ends once its main blocks are done: a cancellation wins over a failure. */
export function runEnd(cancelled: boolean, failed: boolean): RunEnd {
  if (cancelled) return 'cancelled';
  return failed ? 'failed' : 'completed';
}

/**
 * What the blocks still pending become when the run ends: on a cancelled run
 * everything is cancelled; on a failed run the main blocks are cancelled
 * (before the handlers run) and the handlers left over are skipped; on a
 * completed run the handlers are skipped, as nothing failed.
 */
export function pendingBecomes(end: RunEnd, isHandler: boolean): BlockStatus | undefined {
  switch (end) {
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return isHandler ? 'skipped' : 'cancelled';
    case 'completed':
      return isHandler ? 'skipped' : undefined;
  }
}
