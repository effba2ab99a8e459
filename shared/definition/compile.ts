/** Turns a validated definition into the plan Temporal sees, plus its content hash. */
import { createHash } from 'node:crypto';
import { findMentions } from './mentions.ts';
import type { Plan, PlanBlock } from './plan.ts';
import type { Definition } from './schema.ts';

export interface CompiledDefinition {
  readonly definition: Definition;
  readonly plan: Plan;
  readonly hash: string;
}

/** JSON with sorted keys, so the hash depends on content, not key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function definitionHash(definition: Definition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 32);
}

export function compileDefinition(definition: Definition): CompiledDefinition {
  const hash = definitionHash(definition);
  const candidates = new Set(['trigger', ...definition.blocks.map((block) => block.id)]);
  const blocks: PlanBlock[] = definition.blocks.map((block) => ({
    id: block.id,
    type: block.type,
    after: block.after,
    timeoutMs: block.timeoutMs,
    retry: block.retry,
    onError: block.onError,
    mentions: findMentions(block.code, candidates).filter((id) => id !== block.id),
  }));
  return { definition, hash, plan: { name: definition.name, hash, blocks } };
}
