/**
 * Graph checks on validated blocks: duplicate ids, unknown or misplaced
 * references (after, branch cases, onError), cycles, and mentions of blocks
 * that cannot have run before the block that mentions them.
 */
import type { DefinitionIssue } from '../errors/index.ts';
import type { Block } from './schema.ts';

/** Each block's predecessors: its `after` ids, and every branch that lists it in a case or else. */
export function predecessorsOf(blocks: readonly Block[]): Map<string, string[]> {
  const predecessors = new Map<string, string[]>(blocks.map((block) => [block.id, [...block.after]]));
  for (const block of blocks) {
    if (block.type !== 'branch') continue;
    const targets = new Set([...block.cases.flatMap((c) => c.then), ...block.else]);
    for (const target of targets) {
      const list = predecessors.get(target);
      if (list && !list.includes(block.id)) list.push(block.id);
    }
  }
  return predecessors;
}

/** Every block reachable backwards from `id` (not including it). */
export function ancestorsOf(id: string, predecessors: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(predecessors.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(predecessors.get(next) ?? []));
  }
  return seen;
}

export function checkGraph(blocks: readonly Block[], onError: readonly string[]): DefinitionIssue[] {
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
  const handlers = new Set(onError);
  const checkList = (ids: readonly string[], path: string, owner: Block | undefined) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      const at = `${path}[${i}]`;
      if (!indexById.has(id)) issues.push({ path: at, message: `unknown block "${id}"` });
      else if (owner && id === owner.id) issues.push({ path: at, message: `block "${id}" cannot refer to itself` });
      else if (seen.has(id)) issues.push({ path: at, message: `"${id}" is listed twice` });
      else if (owner && handlers.has(id) && !handlers.has(owner.id)) {
        issues.push({ path: at, message: `"${id}" is an onError block: it runs only when the run fails` });
      } else if (owner && !handlers.has(id) && handlers.has(owner.id) && path.endsWith('.after')) {
        issues.push({ path: at, message: `onError block "${owner.id}" may only wait for other onError blocks` });
      }
      seen.add(id);
    });
  };
  checkList(onError, 'onError', undefined);
  blocks.forEach((block, index) => {
    checkList(block.after, `blocks[${index}].after`, block);
    if (block.type === 'branch') {
      if (handlers.has(block.id)) issues.push({ path: `blocks[${index}].type`, message: 'an onError block cannot be a branch' });
      block.cases.forEach((c, caseIndex) => checkList(c.then, `blocks[${index}].cases[${caseIndex}].then`, block));
      checkList(block.else, `blocks[${index}].else`, block);
    }
  });
  if (issues.length === 0) {
    const cycle = findCycle(blocks, predecessorsOf(blocks));
    if (cycle) issues.push({ path: 'blocks', message: `cycle: ${cycle.join(' -> ')}` });
  }
  return issues;
}

/**
 * A block may mention only blocks that finish before it starts: its ancestors.
 * onError blocks run after everything else and may mention any block.
 */
export function checkMentions(
  blocks: readonly Block[],
  onError: readonly string[],
  mentionsOf: (block: Block) => readonly string[],
): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const predecessors = predecessorsOf(blocks);
  const handlers = new Set(onError);
  blocks.forEach((block, index) => {
    if (handlers.has(block.id)) return;
    const ancestors = ancestorsOf(block.id, predecessors);
    for (const id of mentionsOf(block)) {
      if (id === 'trigger' || ancestors.has(id)) continue;
      const why = id === block.id ? 'a block cannot read its own result' : `"${id}" is not upstream of it (add it to after)`;
      issues.push({ path: `blocks[${index}]`, message: `mentions block "${id}", which cannot have run: ${why}` });
    }
  });
  return issues;
}

/** Depth-first search; returns the blocks of one cycle in run order, first block repeated at the end. */
function findCycle(blocks: readonly Block[], predecessors: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of predecessors.get(id) ?? []) {
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
