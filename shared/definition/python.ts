/**
 * Python code blocks on the host side, in pure JavaScript (@lezer/python),
 * so that every process that validates or compiles a definition can: the
 * block ids a body mentions (names it reads: not strings, comments,
 * attribute names `x.orders` or keyword names), and syntax errors with line
 * and column for `baton validate`. The sandbox compiles the code with
 * CPython's own parser, which reports anything this one lets through
 * (inconsistent indentation, say) when the block runs.
 */
import { parser } from '@lezer/python';
import type { DefinitionIssue } from '../errors/index.ts';

/** Names a Python body reads or binds (a local that shadows a block id still counts: one extra read at worst). */
export function pythonNames(code: string): Set<string> {
  const names = new Set<string>();
  parser.parse(code).iterate({
    enter(node) {
      if (node.name !== 'VariableName') return;
      // A keyword argument's name (f(orders=1)) is not a reference.
      const self = node.node;
      if (self.parent?.name === 'ArgList' && self.nextSibling?.name === 'AssignOp') return;
      names.add(code.slice(node.from, node.to));
    },
  });
  return names;
}

export function findPythonMentions(code: string, candidates: ReadonlySet<string>): string[] {
  return [...pythonNames(code)].filter((name) => candidates.has(name)).sort();
}

function position(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

/** The first syntax error in a Python body, with its line and column (1-based), or nothing. */
export function checkPythonSyntax(code: string, path: string): DefinitionIssue[] {
  let offset: number | undefined;
  parser.parse(code).iterate({
    enter(node) {
      if (offset !== undefined) return false;
      if (node.type.isError) offset = node.from;
      return undefined;
    },
  });
  if (offset === undefined) return [];
  const { line, column } = position(code, offset);
  const lines = code.split('\n');
  if (offset >= code.trimEnd().length) {
    const written = code.trimEnd().split('\n');
    const last = written.length;
    return [{ path, message: `Python syntax error (line ${last}, column ${(written[last - 1] ?? '').length + 1}): the code ended too early` }];
  }
  const near = (lines[line - 1] ?? '').slice(column - 1, column + 19).trim();
  return [{ path, message: `Python syntax error (line ${line}, column ${column}): ${near ? `unexpected "${near}"` : 'the line ends too early'}` }];
}
