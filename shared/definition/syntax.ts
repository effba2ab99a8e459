/**
 * Syntax checks and TypeScript stripping of code blocks, in pure JavaScript
 * (acorn parses, sucrase strips types), so that every process that validates
 * or compiles a definition can: the worker and the API carry no native
 * module. A typo is reported by `baton validate` with block, line and column
 * instead of failing a run later. The body is wrapped exactly as the sandbox
 * wraps it. Both tools keep lines as they are, so positions map back.
 */
import { parse } from 'acorn';
import { transform } from 'sucrase';
import type { DefinitionIssue } from '../errors/index.ts';

/** The sandbox runs a code block as the body of this function; keep the two in sync. */
export const CODE_PREFIX = '(async function __batonBlock() {\n';
export const CODE_SUFFIX = '\n})';
const PREFIX_LINES = 1;

export interface CodeSource {
  readonly code: string;
  readonly language: 'javascript' | 'typescript';
}

/** A parser's complaint: its message and where, as line (1-based, in the text it parsed) and column (1-based). */
interface SyntaxProblem {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** acorn and sucrase both end their messages with the position, "(3:11)"; it is reported apart. */
function problemOf(error: unknown, columnBase: 0 | 1): SyntaxProblem {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\(\d+:\d+\)$/, '');
  const loc = (error as { loc?: { line?: number; column?: number } }).loc;
  if (typeof loc?.line !== 'number' || typeof loc.column !== 'number') return { message };
  return { message, line: loc.line, column: loc.column + (1 - columnBase) };
}

/** The JavaScript the sandbox runs for a wrapped body; throws the parser's error for bad syntax. */
function javascriptOf(wrapped: string, language: CodeSource['language']): string {
  if (language === 'javascript') return wrapped;
  try {
    // Types stripped only: the code runs as written on the sandbox's V8, which needs no lowering.
    return transform(wrapped, { transforms: ['typescript'], disableESTransforms: true }).code;
  } catch (error) {
    throw Object.assign(new SyntaxError(problemOf(error, 1).message), { problem: problemOf(error, 1) });
  }
}

function parseProblem(javascript: string): SyntaxProblem | undefined {
  try {
    parse(javascript, { ecmaVersion: 'latest', sourceType: 'script' });
    return undefined;
  } catch (error) {
    return problemOf(error, 0);
  }
}

/** Returns JavaScript for the wrapped body; throws a SyntaxError for bad syntax. */
export function transpileBlock(source: CodeSource): string {
  const javascript = javascriptOf(CODE_PREFIX + source.code + CODE_SUFFIX, source.language);
  const problem = parseProblem(javascript);
  if (problem) throw new SyntaxError(problem.message);
  return javascript;
}

/**
 * Checks one `when`, `over` or template expression the way the sandbox will
 * run it; positions are reported relative to the expression.
 */
export function checkExpressionSyntax(expression: string, path: string): DefinitionIssue[] {
  const prefix = 'return (';
  const problem = parseProblem(`(async function __batonExpression() {\n${prefix}${expression}\n);\n})`);
  if (!problem) return [];
  if (problem.line === undefined || problem.column === undefined) return [{ path, message: `syntax error in expression: ${problem.message}` }];
  const line = problem.line - 1;
  const column = line === 1 ? problem.column - prefix.length : problem.column;
  const where = line > expression.split('\n').length ? 'at the end' : `line ${line}, column ${Math.max(column, 1)}`;
  return [{ path, message: `syntax error in expression (${where}): ${problem.message}` }];
}

export function checkCodeSyntax(source: CodeSource, path: string): DefinitionIssue[] {
  let problem: SyntaxProblem | undefined;
  try {
    problem = parseProblem(javascriptOf(CODE_PREFIX + source.code + CODE_SUFFIX, source.language));
  } catch (error) {
    problem = (error as { problem?: SyntaxProblem }).problem ?? { message: String(error) };
  }
  if (!problem) return [];
  if (problem.line === undefined || problem.column === undefined) return [{ path, message: `syntax error: ${problem.message}` }];
  const lines = source.code.split('\n');
  const line = problem.line - PREFIX_LINES;
  if (line > lines.length) {
    // The parser ran into the wrapper's closing brace: the code ended too early.
    const last = lines.length;
    return [{ path, message: `syntax error (line ${last}, column ${(lines[last - 1] ?? '').length + 1}): the code ended too early (${problem.message})` }];
  }
  return [{ path, message: `syntax error (line ${line}, column ${problem.column}): ${problem.message}` }];
}
