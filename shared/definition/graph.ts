/** Graph checks on validated blocks: duplicate ids, unknown edges, cycles. */
import type { DefinitionIssue } from '../errors.ts';
import type { Block } from './schema.ts';

export function checkGraph(blocks: readonly Block[]): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const indexById = new Map<string, number>();
  blocks.forEach((block, index) => {
    const first = indexById.get(block.id);
    if (first !== undefined) {
      issues.push({ path: `blocks[${index}].id`, message: `duplicate block id "${block.id}" (also blocks[${first}])` });
    } else {
      indexById.set(block.id, index);
    }
  });
  blocks.forEach((block, index) => {
    const seen = new Set<string>();
    block.after.forEach((dep, depIndex) => {
      const path = `blocks[${index}].after[${depIndex}]`;
      if (!indexById.has(dep)) issues.push({ path, message: `unknown block "${dep}"` });
      else if (dep === block.id) issues.push({ path, message: `block "${dep}" cannot wait for itself` });
      else if (seen.has(dep)) issues.push({ path, message: `"${dep}" is listed twice` });
      seen.add(dep);
    });
  });
  if (issues.length === 0) {
    const cycle = findCycle(blocks);
    if (cycle) issues.push({ path: 'blocks', message: `cycle: ${cycle.join(' -> ')}` });
  }
  return issues;
}

/** Depth-first search; returns the blocks of one cycle, first block repeated at the end. */
function findCycle(blocks: readonly Block[]): string[] | undefined {
  const after = new Map(blocks.map((block) => [block.id, block.after]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of after.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const block of blocks) {
    const cycle = visit(block.id);
    if (cycle) return cycle.reverse();
  }
  return undefined;
}
