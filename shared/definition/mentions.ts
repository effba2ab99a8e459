/**
 * Which block ids (and `trigger`) a body mentions, so the executor loads only
 * those results and validation can refuse mentions of blocks that cannot have
 * run. Parsed with acorn, so ids inside strings, comments, property names and
 * member accesses (`x.orders`) are not mentions; a local variable that shadows
 * a block id still counts (one extra read at worst).
 */
import { parse } from 'acorn';
import { full } from 'acorn-walk';

/** Free identifier references in a JavaScript source (a function expression, say). */
export function referencedIdentifiers(javascript: string): Set<string> {
  const names = new Set<string>();
  const ast = parse(javascript, { ecmaVersion: 'latest', sourceType: 'script' });
  full(ast, (node, _state, type) => {
    // acorn-walk visits declarations as 'VariablePattern' and references as 'Identifier'.
    if (node.type === 'Identifier' && type === 'Identifier') names.add((node as unknown as { name: string }).name);
  });
  return names;
}

export function findMentions(javascript: string, candidates: ReadonlySet<string>): string[] {
  return [...referencedIdentifiers(javascript)].filter((name) => candidates.has(name)).sort();
}
