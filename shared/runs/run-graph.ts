/**
 * A run's block graph as the run viewer draws it, from the definition the run
 * pinned (stored by hash when it started): each block's id and type, and the
 * edges between them (after, a branch case, a branch's else). No code, SQL or
 * templates: only the shape, and each case's `when` as its edge's label.
 */
import type { Block, Definition } from '../definition/index.ts';

export interface GraphBlock {
  readonly id: string;
  readonly type: Block['type'];
  readonly after: readonly string[];
  /** Runs only when the run fails (the definition's onError list). */
  readonly onError?: true;
  /** workflow blocks (and loops whose body is one): the child workflow's name. */
  readonly workflow?: string;
  /** loop: its body's type and how many items run at once. */
  readonly loop?: { readonly body: string; readonly concurrency: number };
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'after' | 'case' | 'else';
  /** case edges: the case's `when` expression. */
  readonly label?: string;
}

export interface RunGraph {
  readonly workflow: string;
  readonly description?: string;
  readonly blocks: GraphBlock[];
  readonly edges: GraphEdge[];
}

export function runGraph(definition: Definition): RunGraph {
  const onError = new Set(definition.onError);
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: GraphEdge) => {
    const key = `${edge.from}\0${edge.to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const block of definition.blocks) {
    if (block.type !== 'branch') continue;
    block.cases.forEach((c, index) => c.then.forEach((to) => add({ from: block.id, to, kind: 'case', label: c.when || `case ${index}` })));
    block.else.forEach((to) => add({ from: block.id, to, kind: 'else', label: 'else' }));
  }
  const blocks = definition.blocks.map((block): GraphBlock => {
    for (const from of block.after) add({ from, to: block.id, kind: 'after' });
    const workflow = block.type === 'workflow' ? block.workflow : block.type === 'loop' && block.body.type === 'workflow' ? block.body.workflow : undefined;
    return {
      id: block.id,
      type: block.type,
      after: block.after,
      ...(onError.has(block.id) ? { onError: true as const } : {}),
      ...(workflow !== undefined ? { workflow } : {}),
      ...(block.type === 'loop' ? { loop: { body: block.body.type, concurrency: block.concurrency } } : {}),
    };
  });
  return { workflow: definition.name, ...(definition.description ? { description: definition.description } : {}), blocks, edges };
}
