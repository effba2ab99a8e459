/**
 * The run rules (docs/language.md) on their own: plain plans and states, no Temporal.
 */
import { describe, expect, it } from 'vitest';
import type { BlockStatus, PlanBlock } from '../../../../shared/contract/index.ts';
import {
  edgeStatus,
  failsRun,
  nextMoves,
  pendingBecomes,
  readiness,
  runEnd,
  type Move,
  type RuleState,
  type StateOf,
} from '../../../../worker/workflows/run-rules.ts';

const retry = { maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 };
const fields = { retry, onError: 'fail' as const, mentions: [] };
const code = (id: string, predecessors: string[] = [], extra: Partial<{ onError: 'fail' | 'continue' }> = {}): PlanBlock => ({
  id,
  type: 'code',
  ...fields,
  ...extra,
  predecessors,
});
const branch = (id: string, cases: string[][], otherwise: string[], predecessors: string[] = []): PlanBlock => ({
  id,
  type: 'branch',
  ...fields,
  predecessors,
  cases: cases.map((then) => ({ then })),
  else: otherwise,
});

function statesOf(entries: Record<string, BlockStatus | RuleState>): StateOf {
  return (id) => {
    const entry = entries[id];
    if (entry === undefined) throw new Error(`no block "${id}"`);
    return typeof entry === 'string' ? { status: entry } : entry;
  };
}
const byId = (plan: PlanBlock[]) => new Map(plan.map((block) => [block.id, block]));
const describeMoves = (moves: Move[]) => moves.map((move) => (move.kind === 'skip' ? `skip ${move.id}` : `start ${move.block.id}`));
const all = () => true;

describe('edgeStatus', () => {
  const size = branch('size', [['big']], ['small']);
  it('is the predecessor status for any block but a completed branch', () => {
    expect(edgeStatus(code('a'), { status: 'failed' }, 'b')).toBe('failed');
    expect(edgeStatus(size, { status: 'skipped' }, 'big')).toBe('skipped');
  });
  it('is completed for the side a branch took and skipped for the others', () => {
    expect(edgeStatus(size, { status: 'completed', taken: 0 }, 'big')).toBe('completed');
    expect(edgeStatus(size, { status: 'completed', taken: 0 }, 'small')).toBe('skipped');
    expect(edgeStatus(size, { status: 'completed', taken: 'else' }, 'small')).toBe('completed');
    expect(edgeStatus(size, { status: 'completed', taken: 'else' }, 'big')).toBe('skipped');
  });
  it('is completed for a block that waits on a branch by a plain after-edge', () => {
    expect(edgeStatus(size, { status: 'completed', taken: 0 }, 'audit')).toBe('completed');
  });
});

describe('readiness', () => {
  const plan = [code('a'), code('b'), code('join', ['a', 'b'])];
  it('waits while a predecessor has not finished', () => {
    expect(readiness(plan[2]!, byId(plan), statesOf({ a: 'completed', b: 'running', join: 'pending' }))).toBe('waiting');
    expect(readiness(plan[2]!, byId(plan), statesOf({ a: 'completed', b: 'pending', join: 'pending' }))).toBe('waiting');
  });
  it('is ready once all finished and one completed, whatever the others did', () => {
    expect(readiness(plan[2]!, byId(plan), statesOf({ a: 'completed', b: 'skipped', join: 'pending' }))).toBe('ready');
    expect(readiness(plan[2]!, byId(plan), statesOf({ a: 'failed', b: 'cancelled', join: 'pending' }))).toBe('ready');
  });
  it('is skipped when every predecessor was skipped', () => {
    expect(readiness(plan[2]!, byId(plan), statesOf({ a: 'skipped', b: 'skipped', join: 'pending' }))).toBe('skipped');
  });
  it('is ready at once without predecessors', () => {
    expect(readiness(plan[0]!, byId(plan), statesOf({ a: 'pending' }))).toBe('ready');
  });
  it('throws for a predecessor the plan does not have', () => {
    const orphan = code('orphan', ['ghost']);
    expect(() => readiness(orphan, byId([orphan]), statesOf({ orphan: 'pending' }))).toThrow('no block "ghost"');
  });
});

describe('nextMoves', () => {
  it('starts every block without predecessors, in plan order', () => {
    const plan = [code('a'), code('b'), code('c', ['a'])];
    expect(describeMoves(nextMoves(plan, all, statesOf({ a: 'pending', b: 'pending', c: 'pending' })))).toEqual(['start a', 'start b']);
  });

  it('skips the side a branch did not take and everything only it leads to, then starts the join', () => {
    const plan = [
      branch('size', [['big']], ['small']),
      code('big', ['size']),
      code('small', ['size']),
      code('afterSmall', ['small']),
      code('join', ['big', 'afterSmall']),
    ];
    const states = statesOf({ size: { status: 'completed', taken: 0 }, big: 'completed', small: 'pending', afterSmall: 'pending', join: 'pending' });
    expect(describeMoves(nextMoves(plan, all, states))).toEqual(['skip small', 'skip afterSmall', 'start join']);
  });

  it('walks the plan again when a skip makes an earlier block ready', () => {
    // `early` comes first in the plan but waits on `late`, which is skipped in the same walk.
    const plan = [code('early', ['done', 'late']), branch('pick', [['other']], ['late']), code('late', ['pick']), code('done'), code('other', ['pick'])];
    const states = statesOf({ early: 'pending', pick: { status: 'completed', taken: 0 }, late: 'pending', done: 'completed', other: 'running' });
    expect(describeMoves(nextMoves(plan, all, states))).toEqual(['skip late', 'start early']);
  });

  it('skips a block whose predecessors were all skipped, through a whole chain', () => {
    const plan = [code('a', ['x']), code('b', ['a']), code('c', ['b'])];
    expect(describeMoves(nextMoves(plan, all, statesOf({ x: 'skipped', a: 'pending', b: 'pending', c: 'pending' })))).toEqual([
      'skip a',
      'skip b',
      'skip c',
    ]);
  });

  it('looks only at the group it is given, and at pending blocks only', () => {
    const plan = [code('main'), code('alert')];
    const onlyHandlers = (block: PlanBlock) => block.id === 'alert';
    expect(describeMoves(nextMoves(plan, onlyHandlers, statesOf({ main: 'pending', alert: 'pending' })))).toEqual(['start alert']);
    expect(nextMoves(plan, all, statesOf({ main: 'running', alert: 'completed' }))).toEqual([]);
  });
});

describe('the end of a run', () => {
  it('fails the run for a failed block unless it continues on error or is a handler', () => {
    expect(failsRun(code('a'), false)).toBe(true);
    expect(failsRun(code('a', [], { onError: 'continue' }), false)).toBe(false);
    expect(failsRun(code('alert'), true)).toBe(false);
  });

  it('ends cancelled over failed over completed', () => {
    expect(runEnd(true, true)).toBe('cancelled');
    expect(runEnd(false, true)).toBe('failed');
    expect(runEnd(false, false)).toBe('completed');
  });

  it('turns pending blocks into what the way the run ended says', () => {
    expect([pendingBecomes('cancelled', false), pendingBecomes('cancelled', true)]).toEqual(['cancelled', 'cancelled']);
    expect([pendingBecomes('failed', false), pendingBecomes('failed', true)]).toEqual(['cancelled', 'skipped']);
    expect([pendingBecomes('completed', false), pendingBecomes('completed', true)]).toEqual([undefined, 'skipped']);
  });
});
