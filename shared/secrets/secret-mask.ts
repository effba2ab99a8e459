/**
 * Hides secret values in whatever leaves a block: its logs, its error
 * message, and for query and http blocks its data (an API that echoes its
 * token, a row that reads a setting back). One rule set for all three:
 * - every known value, in the forms it takes inside JSON and URLs, longest first;
 * - the password of any `scheme://user:password@host` in text;
 * - values shorter than MIN_MASKED_LENGTH are left alone: they would blank
 *   ordinary data, and nothing that short is a secret.
 * A secret can reach a block's console through data (a query that selects a
 * token, a trigger that carries one), so a mask knows every secret value of
 * its process, not only those the block was given.
 */

export const MASK = '****';
export const MIN_MASKED_LENGTH = 4;

const SECRET_ENV_PREFIX = 'BATON_SECRET_';
/** The password part of `scheme://user:password@host`, whatever it is. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

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
      // The forms a value takes when it is logged inside JSON or a URL.
      for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
        if (form.length < MIN_MASKED_LENGTH || this.values.has(form)) continue;
        this.values.add(form);
        changed = true;
      }
    }
    if (changed) this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    const withoutPasswords = text.replace(URL_PASSWORD, `$1${MASK}@`);
    return this.maskKnown(withoutPasswords);
  }

  /** A copy of a JSON value with every known secret blanked from its strings (keys included); the value itself when there is nothing to hide. */
  maskValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    const walk = (item: unknown): unknown => {
      if (typeof item === 'string') return this.maskKnown(item);
      if (Array.isArray(item)) return item.map(walk);
      if (item && typeof item === 'object') {
        return Object.fromEntries(Object.entries(item).map(([key, inner]) => [this.maskKnown(key), walk(inner)]));
      }
      return item;
    };
    return walk(value) as T;
  }

  private maskKnown(text: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
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
