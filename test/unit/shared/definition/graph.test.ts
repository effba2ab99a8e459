import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../../../shared/definition/graph.ts';
import type { Block } from '../../../../shared/definition/index.ts';

function blocks(edges: Record<string, string[]>): Block[] {
  return Object.entries(edges).map(([id, after]) => ({
    id,
    type: 'code',
    after,
    timeoutMs: 1000,
    retry: { maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
    onError: 'fail',
    code: 'return 1',
    language: 'javascript',
  }));
}

describe('checkGraph', () => {
  it('accepts a diamond', () => {
    expect(checkGraph(blocks({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }), [])).toEqual([]);
  });

  it('reports a duplicate id with both places', () => {
    const list = [...blocks({ a: [], b: [] }), ...blocks({ a: [] })];
    expect(checkGraph(list, [])).toEqual([{ path: 'blocks[2].id', message: 'duplicate block id "a" (also blocks[0])' }]);
  });

  it('reports unknown, self and repeated edges with their paths', () => {
    expect(checkGraph(blocks({ a: ['ghost', 'a'], b: ['a', 'a'] }), [])).toEqual([
      { path: 'blocks[0].after[0]', message: 'unknown block "ghost"' },
      { path: 'blocks[0].after[1]', message: 'block "a" cannot refer to itself' },
      { path: 'blocks[1].after[1]', message: '"a" is listed twice' },
    ]);
  });

  it('names the blocks of a cycle in edge order, and only those', () => {
    const issues = checkGraph(blocks({ start: [], x: ['start', 'z'], y: ['x'], z: ['y'], end: ['z'] }), []);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('blocks');
    const names = issues[0]!.message.replace(/^cycle: /, '').split(' -> ');
    expect(names[0]).toBe(names[names.length - 1]);
    expect(new Set(names)).toEqual(new Set(['x', 'y', 'z']));
    // each block waits for the one before it in the listing
    const after = { x: ['start', 'z'], y: ['x'], z: ['y'] } as Record<string, string[]>;
    for (let i = 1; i < names.length; i++) expect(after[names[i]!]).toContain(names[i - 1]);
  });

  it('finds a two-block cycle', () => {
    expect(checkGraph(blocks({ a: ['b'], b: ['a'] }), [])[0]!.message).toMatch(/^cycle: (a -> b -> a|b -> a -> b)$/);
  });
});
