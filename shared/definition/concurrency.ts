/**
 * A definition's `concurrency` section: how many runs may hold a slot at
 * once per key, and what happens to the next one (queue or reject).
 *
 * The key is a path into the trigger data written as a template,
 * `{{ trigger.data.customer }}`, and nothing more: the API and the CLI
 * resolve it themselves, without the sandbox, so it may only name data,
 * never compute (docs/language.md, Concurrency limits).
 */
import { z } from 'zod';
import type { DefinitionIssue } from '../errors/index.ts';

export const MAX_CONCURRENCY_LIMIT = 10_000;

export const concurrencySchema = z.strictObject({
  limit: z.int().min(1).max(MAX_CONCURRENCY_LIMIT),
  key: z.string().optional(),
  overflow: z.enum(['queue', 'reject']).default('queue'),
});
export type Concurrency = z.infer<typeof concurrencySchema>;

const SEGMENT = String.raw`(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d{1,6}\])`;
const KEY_TEMPLATE = new RegExp(String.raw`^\{\{\s*trigger\.data(${SEGMENT}+)\s*\}\}$`);
const SEGMENTS = new RegExp(SEGMENT, 'g');

/** The path a key template names (`["customer"]`, `["order", 0, "id"]`), or undefined when it is not one. */
export function keyPath(template: string): Array<string | number> | undefined {
  const match = KEY_TEMPLATE.exec(template.trim());
  if (!match) return undefined;
  return [...(match[1] ?? '').matchAll(SEGMENTS)].map(([segment]) => (segment.startsWith('[') ? Number(segment.slice(1, -1)) : segment.slice(1)));
}

export function checkConcurrency(concurrency: Concurrency | undefined): DefinitionIssue[] {
  if (concurrency?.key === undefined || keyPath(concurrency.key)) return [];
  return [{ path: 'concurrency.key', message: `"${concurrency.key}" must name a value of the trigger data, like {{ trigger.data.customer }} (a path of names and [n] indexes, no expressions)` }];
}

/** Longest key value kept: enough for any id, short enough to hash cheaply. */
export const MAX_KEY_VALUE = 1024;

export type KeyValue = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string };

/**
 * The key's value in this trigger data, as text: a string, number or
 * boolean at the path. Absent, null or an object is a problem the caller
 * reports (the data passed the input schema, so the schema should require it).
 */
export function concurrencyKeyValue(concurrency: Concurrency, data: unknown): KeyValue {
  if (concurrency.key === undefined) return { ok: true, value: '' };
  const path = keyPath(concurrency.key) ?? [];
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      current = undefined;
      break;
    }
    current = (current as Record<string | number, unknown>)[segment];
  }
  const where = `trigger.data${path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('')}`;
  if (typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean') {
    const value = String(current);
    if (value.length > MAX_KEY_VALUE) return { ok: false, problem: `the concurrency key ${where} is longer than ${MAX_KEY_VALUE} characters` };
    return { ok: true, value };
  }
  return { ok: false, problem: `the concurrency key ${where} must be a string, number or boolean (it is ${current === undefined ? 'absent' : current === null ? 'null' : Array.isArray(current) ? 'an array' : typeof current})` };
}
