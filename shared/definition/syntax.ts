/**
 * Syntax checks and TypeScript transpiling of code blocks with esbuild, so a
 * typo is reported by `baton validate` with block, line and column instead
 * of failing a run later. The body is wrapped exactly as the sandbox wraps it.
 */
import { transformSync } from 'esbuild';
import type { DefinitionIssue } from '../errors.ts';

/** The sandbox runs a code block as the body of this function; keep the two in sync. */
export const CODE_PREFIX = '(async function __batonBlock() {\n';
export const CODE_SUFFIX = '\n})';
const PREFIX_LINES = 1;

export interface CodeSource {
  readonly code: string;
  readonly language: 'javascript' | 'typescript';
}

/** Returns JavaScript for the wrapped body; throws esbuild's error for bad syntax. */
export function transpileBlock(source: CodeSource): string {
  const wrapped = CODE_PREFIX + source.code + CODE_SUFFIX;
  return transformSync(wrapped, {
    loader: source.language === 'typescript' ? 'ts' : 'js',
    // No format: with one, a free `module` or `exports` makes esbuild wrap the
    // body as CommonJS, which is no longer a function expression.
    target: 'es2022',
    minifyWhitespace: false,
  }).code.replace(/;\s*$/, '');
}

interface EsbuildFailure {
  errors?: Array<{ text: string; location?: { line: number; column: number } | null }>;
}

/**
 * Checks one `when`, `over` or template expression the way the sandbox will
 * run it; positions are reported relative to the expression.
 */
export function checkExpressionSyntax(expression: string, path: string): DefinitionIssue[] {
  const prefix = 'return (';
  try {
    transformSync(`(async function __batonExpression() {\n${prefix}${expression}\n);\n})`, { loader: 'js', target: 'es2022' });
    return [];
  } catch (error) {
    const errors = (error as EsbuildFailure).errors ?? [];
    return errors.slice(0, 1).map((e) => {
      if (!e.location) return { path, message: `syntax error in expression: ${e.text}` };
      const line = e.location.line - 1;
      const column = line === 1 ? e.location.column - prefix.length + 1 : e.location.column + 1;
      const where = line > expression.split('\n').length ? 'at the end' : `line ${line}, column ${Math.max(column, 1)}`;
      return { path, message: `syntax error in expression (${where}): ${e.text}` };
    });
  }
}

export function checkCodeSyntax(source: CodeSource, path: string): DefinitionIssue[] {
  try {
    transpileBlock(source);
    return [];
  } catch (error) {
    const errors = (error as EsbuildFailure).errors ?? [];
    if (errors.length === 0) return [{ path, message: `syntax error: ${String(error)}` }];
    const lines = source.code.split('\n');
    return errors.map((e) => {
      if (!e.location) return { path, message: `syntax error: ${e.text}` };
      const line = e.location.line - PREFIX_LINES;
      if (line > lines.length) {
        // The parser ran into the wrapper's closing brace: the code ended too early.
        const last = lines.length;
        const text = e.text.replace(/ but found "}"$/, ' but the code ended');
        return { path, message: `syntax error (line ${last}, column ${(lines[last - 1] ?? '').length + 1}): ${text}` };
      }
      return { path, message: `syntax error (line ${line}, column ${e.location.column + 1}): ${e.text}` };
    });
  }
}
