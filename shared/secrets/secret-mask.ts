/**
 * Hides secret values in text that leaves a block (its logs, its error
 * message). A secret can reach a block's console through data (a query that
 * selects a token, a trigger that carries one), so the mask knows every
 * secret value of the process, not only those the block was given.
 */

export const MASK = '****';

const SECRET_ENV_PREFIX = 'BATON_SECRET_';

export class SecretMask {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  /** Adds secret values (the db-connector adds those it resolves from SSM or Secrets Manager). */
  add(values: Iterable<string>): void {
    let changed = false;
    for (const value of values) {
      if (value === '') continue;
      // The forms a value takes when it is logged inside JSON or a URL.
      for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
        if (!this.values.has(form)) {
          this.values.add(form);
          changed = true;
        }
      }
    }
    if (changed) this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
      // Longest first, so a secret that contains another is hidden whole.
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, MASK);
  }
}

/** The values of BATON_SECRET_* in an env: the secrets a local stack resolves `{{ secret:NAME }}` from. */
export function secretValuesFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => name.startsWith(SECRET_ENV_PREFIX) && value !== undefined && value !== '')
    .map(([, value]) => value as string);
}
