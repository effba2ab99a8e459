/**
 * Which blocks make a run's output, and when the last step may write it: plain plans, no Temporal.
 */
import { describe, expect, it } from 'vitest';
import type { BlockStatus, PlanBlock } from '../../../../shared/contract/index.ts';
import { finishSpec, mentionedStatuses, outputSpec, type OutputContext } from '../../../../worker/workflows/run-output.ts';

const retry = { maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 };
const block = (id: string, predecessors: string[] = [], type: 'code' | 'response' = 'code', mentions: string[] = []): PlanBlock => ({
  id,
  type,
  retry,
  onError: 'fail',
  mentions,
  predecessors,
});

function context(plan: PlanBlock[], statuses: Record<string, BlockStatus>, handlers: string[] = [], responseBlock?: string): OutputContext {
  return {
    plan,
    isMain: (b) => !handlers.includes(b.id),
    stateOf: (id) => ({ status: statuses[id] ?? 'pending' }),
    responseBlock,
  };
}

describe('outputSpec', () => {
  const plan = [block('a'), block('b', ['a']), block('side'), block('alert', ['b'])];
  it('lists the ended main blocks nothing else waits for', () => {
    // a is waited for by b; alert is a handler, so its edge on b does not count and alert is no output.
    const spec = outputSpec(context(plan, { a: 'completed', b: 'completed', side: 'failed', alert: 'skipped' }, ['alert']));
    expect(spec).toEqual({ outputBlocks: ['b', 'side'] });
  });
  it('leaves out blocks that were skipped or cancelled', () => {
    expect(outputSpec(context(plan, { a: 'completed', b: 'skipped', side: 'cancelled' }, ['alert']))).toEqual({ outputBlocks: [] });
  });
  it('names the response that won, or the response block about to complete', () => {
    expect(outputSpec(context(plan, { a: 'completed', b: 'completed' }, ['alert'], 'b')).responseBlock).toBe('b');
    const reply = block('reply', [], 'response');
    expect(outputSpec(context([reply], { reply: 'running' }), reply)).toEqual({ outputBlocks: ['reply'], responseBlock: 'reply' });
  });
});

describe('finishSpec', () => {
  const plan = [block('a'), block('b'), block('alert')];
  it('is the output when every other main block has finished', () => {
    expect(finishSpec(context(plan, { a: 'completed', b: 'running' }, ['alert']), plan[1]!, false)).toEqual({ outputBlocks: ['a', 'b'] });
  });
  it('is nothing while another main block is still to finish, on a failing run, or for a handler', () => {
    expect(finishSpec(context(plan, { a: 'running', b: 'running' }, ['alert']), plan[1]!, false)).toBeUndefined();
    expect(finishSpec(context(plan, { a: 'completed', b: 'running' }, ['alert']), plan[1]!, true)).toBeUndefined();
    expect(finishSpec(context(plan, { a: 'completed', b: 'completed' }, ['alert']), plan[2]!, true)).toBeUndefined();
  });
});

describe('mentionedStatuses', () => {
  it('tells a block the statuses of the blocks it and its loop body mention, known ones only', () => {
    const loop: PlanBlock = {
      id: 'each',
      type: 'loop',
      retry,
      onError: 'fail',
      mentions: ['a'],
      predecessors: ['a'],
      body: { type: 'code', retry, onError: 'fail', mentions: ['b', 'trigger'] },
      concurrency: 1,
    };
    const statuses: Record<string, BlockStatus> = { a: 'completed', b: 'skipped' };
    expect(mentionedStatuses(loop, (id) => statuses[id])).toEqual({ a: 'completed', b: 'skipped' });
  });
});
