/**
 * Turns a validated definition into the plan Temporal sees (ids, types,
 * edges, settings, mentions; no code, SQL or templates), plus its content hash.
 */
import { createHash } from 'node:crypto';
import { parseDuration } from './duration.ts';
import { predecessorsOf } from './graph.ts';
import { stepMentions } from './steps.ts';
import type { PlanBlock, StepPlan } from '../contract/plan.ts';
import type { Plan } from '../contract/plan.ts';
import type { Block, Definition, Step } from './schema.ts';

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

function stepPlan(step: Step, ids: ReadonlySet<string>): StepPlan {
  const candidates = new Set(['trigger', ...ids]);
  const mentions = stepMentions(step, candidates);
  return {
    type: step.type,
    ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
    retry: step.retry,
    onError: step.onError,
    mentions,
    ...(step.type === 'workflow' ? { workflow: step.workflow } : {}),
  };
}

function planBlock(block: Block, ids: ReadonlySet<string>, predecessors: ReadonlyMap<string, readonly string[]>): PlanBlock {
  const base = { id: block.id, ...stepPlan(block, ids), predecessors: predecessors.get(block.id) ?? [] };
  switch (block.type) {
    case 'branch':
      return { ...base, cases: block.cases.map((c) => ({ then: c.then })), else: block.else };
    case 'loop':
      return { ...base, body: stepPlan(block.body, ids), concurrency: block.concurrency };
    case 'wait':
      return { ...base, durationMs: parseDuration(block.duration) ?? 0 };
    default:
      return base;
  }
}

export function compileDefinition(definition: Definition): CompiledDefinition {
  const hash = definitionHash(definition);
  const ids = new Set(definition.blocks.map((block) => block.id));
  const predecessors = predecessorsOf(definition.blocks);
  const blocks = definition.blocks.map((block) => planBlock(block, ids, predecessors));
  return { definition, hash, plan: { name: definition.name, hash, blocks, onError: definition.onError } };
}
