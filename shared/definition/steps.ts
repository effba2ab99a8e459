/**
 * The user-written parts of a step (code, expressions, templates) as the
 * JavaScript the sandbox will run, or the Python code: one place that both
 * the syntax checks and the mention finder read, so they never disagree
 * with the executors.
 */
import { branchFunction, expressionFunction, templateExpressions, templateFunction } from './templates.ts';
import { transpileBlock } from './syntax.ts';
import { findMentions } from './mentions.ts';
import { findPythonMentions } from './python.ts';
import type { Step } from './schema.ts';

type Path = ReadonlyArray<string | number>;

/** The templated fields of a step, by field name. */
export function templatedFields(step: Step): Record<string, unknown> {
  switch (step.type) {
    case 'query':
      return { params: step.params };
    case 'http':
      return { path: step.path, query: step.query, headers: step.headers, body: step.body };
    case 'response':
      return { status: step.status, headers: step.headers, body: step.body };
    case 'workflow':
      return { input: step.input };
    default:
      return {};
  }
}

/** Every expression the user wrote in a step's non-code fields, with its path inside the step. */
export function stepExpressions(step: Step): Array<{ path: Path; expression: string }> {
  const found: Array<{ path: Path; expression: string }> = [];
  if (step.type === 'branch') step.cases.forEach((c, i) => found.push({ path: ['cases', i, 'when'], expression: c.when }));
  if (step.type === 'loop') found.push({ path: ['over'], expression: step.over });
  for (const [field, value] of Object.entries(templatedFields(step))) {
    for (const t of templateExpressions(value, [field])) found.push(t);
  }
  return found;
}

/** The JavaScript sources the sandbox runs for a step (its loop body excluded); a Python code block has none. */
export function stepJavascript(step: Step): string[] {
  switch (step.type) {
    case 'code':
      return step.language === 'python' ? [] : [transpileBlock({ code: step.code, language: step.language })];
    case 'branch':
      return [branchFunction(step.cases.map((c) => c.when))];
    case 'loop':
      return [expressionFunction(step.over)];
    default: {
      const fields = templatedFields(step);
      return Object.keys(fields).length > 0 ? [templateFunction(fields)] : [];
    }
  }
}

/** The candidates (block ids, `trigger`) a step's code, expressions and templates mention (its loop body excluded). */
export function stepMentions(step: Step, candidates: ReadonlySet<string>): string[] {
  const found = stepJavascript(step).flatMap((source) => findMentions(source, candidates));
  if (step.type === 'code' && step.language === 'python') found.push(...findPythonMentions(step.code, candidates));
  return [...new Set(found)].sort();
}
