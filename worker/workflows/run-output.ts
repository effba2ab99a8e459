/**
 * What a run's output is made of and which step may write it, as pure
 * functions: without a response, the output is `{ <id>: data }` of the main
 * blocks that ended (completed, or failed with onError: continue) and that no
 * other main block waits for (docs/language.md); with one, the winning response's data.
 */
import {
  TERMINAL_BLOCK_STATUSES,
  type BlockStatus,
  type PlanBlock,
  type RunOutputSpec,
} from '../../shared/contract/index.ts';
import type { StateOf } from './run-rules.ts';

export interface OutputContext {
  readonly plan: readonly PlanBlock[];
  readonly isMain: (block: PlanBlock) => boolean;
  readonly stateOf: StateOf;
  /** The response block that won, if one has completed. */
  readonly responseBlock: string | undefined;
}

/** The run's output as things stand, or as they will once `last` completes. */
export function outputSpec(context: OutputContext, last?: PlanBlock): RunOutputSpec {
  const { plan, isMain, stateOf } = context;
  const waitedFor = new Set(plan.filter(isMain).flatMap((block) => block.predecessors));
  const ended = (block: PlanBlock) => block === last || ['completed', 'failed'].includes(stateOf(block.id).status);
  const outputBlocks = plan.filter((block) => isMain(block) && !waitedFor.has(block.id) && ended(block)).map((block) => block.id);
  const responseBlock = context.responseBlock ?? (last?.type === 'response' ? last.id : undefined);
  return { outputBlocks, ...(responseBlock ? { responseBlock } : {}) };
}

/**
 * When `block` completing would end the run (no failure, every other main
 * block finished), the output the run will have: the step that runs it writes
 * it, which saves the run a finishRun step (a workflow task and an activity).
 * If the step fails instead (onError: continue), the run writes it as before.
 * onError handlers run only on a failing run, which has no output.
 */
export function finishSpec(context: OutputContext, block: PlanBlock, runFailed: boolean): RunOutputSpec | undefined {
  const { plan, isMain, stateOf } = context;
  if (runFailed || !isMain(block)) return undefined;
  const othersDone = plan.every((other) => other === block || !isMain(other) || TERMINAL_BLOCK_STATUSES.has(stateOf(other.id).status));
  return othersDone ? outputSpec(context, block) : undefined;
}

/** The statuses of the blocks a block (or its loop body) mentions: what its executor is told about them. */
export function mentionedStatuses(block: PlanBlock, statusOf: (id: string) => BlockStatus | undefined): Record<string, BlockStatus> {
  const scope: Record<string, BlockStatus> = {};
  const mentions = block.type === 'loop' ? [...block.mentions, ...block.body.mentions] : block.mentions;
  for (const id of mentions) {
    const status = statusOf(id);
    if (status) scope[id] = status;
  }
  return scope;
}
