/**
 * Templates, `when` and `over` become JavaScript function expressions that
 * the sandbox runs exactly like a code block, so there is one evaluator for
 * all user expressions (docs/design.md, Decisions: user code runs only in the sandbox).
 *
 * In a templated value, a string that is exactly `{{ expr }}` takes the
 * expression's value (any JSON type); `{{ }}` inside longer text is
 * interpolated as text (strings as they are, null/undefined as nothing,
 * anything else as JSON). An expression cannot contain `}}`.
 */

const WHOLE = /^\s*\{\{([\s\S]*?)\}\}\s*$/;
const PART = /\{\{([\s\S]*?)\}\}/g;

export interface TemplateExpression {
  /** Path of the string inside the templated value (`body.total`). */
  readonly path: ReadonlyArray<string | number>;
  readonly expression: string;
}

/** Every `{{ }}` expression in a templated value, with where it is. */
export function templateExpressions(value: unknown, path: ReadonlyArray<string | number> = []): TemplateExpression[] {
  if (typeof value === 'string') {
    return [...value.matchAll(PART)].map((match) => ({ path, expression: (match[1] ?? '').trim() }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => templateExpressions(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => templateExpressions(item, [...path, key]));
  }
  return [];
}

const TEXT_HELPER =
  'const __batonText = (v) => v === undefined || v === null ? "" : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);';

function expressionSource(value: unknown): string {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole && !(whole[1] ?? '').includes('{{')) return `(${(whole[1] ?? '').trim()}\n)`;
    if (!PART.test(value)) return JSON.stringify(value);
    PART.lastIndex = 0;
    const parts: string[] = [];
    let last = 0;
    for (const match of value.matchAll(PART)) {
      parts.push(JSON.stringify(value.slice(last, match.index)));
      parts.push(`__batonText((${(match[1] ?? '').trim()}\n))`);
      last = match.index + match[0].length;
    }
    parts.push(JSON.stringify(value.slice(last)));
    return `(${parts.join(' + ')})`;
  }
  if (Array.isArray(value)) return `[${value.map(expressionSource).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${expressionSource(item)}`).join(', ')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** A function expression returning the templated value with every expression evaluated. */
export function templateFunction(value: unknown): string {
  return `(async function __batonTemplate() {\n${TEXT_HELPER}\nreturn ${expressionSource(value)};\n})`;
}

/** A function expression returning one expression's value. */
export function expressionFunction(expression: string): string {
  return `(async function __batonExpression() {\nreturn (${expression}\n);\n})`;
}

/** A function expression returning the index of the first truthy `when`, or "else". */
export function branchFunction(whens: readonly string[]): string {
  const tests = whens.map((when, index) => `if (${when}\n) return ${index};`).join('\n');
  return `(async function __batonBranch() {\n${tests}\nreturn "else";\n})`;
}

export interface TemplateIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

const SECRET = /^secret:/;

/**
 * Template mistakes that the expression parser would report without saying
 * what is wrong: a `}}` or `{{` left over once every `{{ expr }}` is matched
 * (`"{{ a.data }} }}"`), and `{{ secret:NAME }}`, which only resource
 * settings may hold (the db-connector resolves it; a block never sees a secret).
 */
export function templateTextIssues(value: unknown, path: ReadonlyArray<string | number> = []): TemplateIssue[] {
  if (typeof value === 'string') {
    const issues: TemplateIssue[] = [];
    const rest = value.replace(PART, ' ');
    if (rest.includes('}}')) issues.push({ path, message: 'a "}}" without its "{{" (a template is {{ expression }}, and an expression cannot contain "}}")' });
    if (rest.includes('{{')) issues.push({ path, message: 'a "{{" without its "}}" (a template is {{ expression }})' });
    for (const match of value.matchAll(PART)) {
      const expression = (match[1] ?? '').trim();
      if (SECRET.test(expression)) {
        issues.push({
          path,
          message: `{{ ${expression} }}: secrets are resolved only in a resource's settings (BATON_RESOURCES), never in a block; put it in the resource's url or headers`,
        });
      }
    }
    return issues;
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => templateTextIssues(item, [...path, index]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => templateTextIssues(item, [...path, key]));
  return [];
}

/** True for an expression templateTextIssues already reports (a secret reference): no parser message on top. */
export function isSecretReference(expression: string): boolean {
  return SECRET.test(expression.trim());
}
