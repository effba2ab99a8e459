/**
 * Turns a validated definition into the plan Temporal sees (ids, types,
 * edges, settings, mentions; no code, SQL or templates), plus its content hash.
 */
import { createHash } from 'node:crypto';
import { parseDuration } from './duration.ts';
import { predecessorsOf } from './graph.ts';
import { stepMentions } from './steps.ts';
import type { LoopBodyPlan, Plan, PlanBlock } from '../contract/plan.ts';
import type { Block, Definition, LoopBody, Step } from './schema.ts';

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

/** An approval has no attempts to retry: its plan carries the one-attempt default. */
const SINGLE_ATTEMPT = { maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 };

/** The fields every step has, in the order the plans recorded so far have them. */
function stepFields(step: Step, ids: ReadonlySet<string>) {
  const candidates = new Set(['trigger', ...ids]);
  const mentions = stepMentions(step, candidates);
  if (step.type === 'approval') return { retry: SINGLE_ATTEMPT, onError: step.onError, mentions };
  return {
    ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
    retry: step.retry,
    onError: step.onError,
    mentions,
  };
}

function loopBodyPlan(body: LoopBody, ids: ReadonlySet<string>): LoopBodyPlan {
  const fields = stepFields(body, ids);
  return body.type === 'workflow' ? { type: body.type, ...fields, workflow: body.workflow } : { type: body.type, ...fields };
}

function planBlock(block: Block, ids: ReadonlySet<string>, predecessors: ReadonlyMap<string, readonly string[]>): PlanBlock {
  const fields = { ...stepFields(block, ids) };
  const edges = { predecessors: predecessors.get(block.id) ?? [] };
  switch (block.type) {
    case 'code':
    case 'query':
    case 'http':
    case 'response':
      return { id: block.id, type: block.type, ...fields, ...edges };
    case 'workflow':
      return { id: block.id, type: block.type, ...fields, workflow: block.workflow, ...edges };
    case 'branch':
      return { id: block.id, type: block.type, ...fields, ...edges, cases: block.cases.map((c) => ({ then: c.then })), else: block.else };
    case 'loop':
      return { id: block.id, type: block.type, ...fields, ...edges, body: loopBodyPlan(block.body, ids), concurrency: block.concurrency };
    case 'wait':
      return { id: block.id, type: block.type, ...fields, ...edges, durationMs: parseDuration(block.duration) ?? 0 };
    case 'approval': {
      const timeoutAfterMs = block.timeout === undefined ? undefined : parseDuration(block.timeout);
      return {
        id: block.id,
        type: block.type,
        ...fields,
        ...edges,
        ...(block.approvers ? { approvers: block.approvers } : {}),
        ...(timeoutAfterMs !== undefined ? { timeoutAfterMs } : {}),
        onTimeout: block.onTimeout,
      };
    }
  }
}

export function compileDefinition(definition: Definition): CompiledDefinition {
  const hash = definitionHash(definition);
  const ids = new Set(definition.blocks.map((block) => block.id));
  const predecessors = predecessorsOf(definition.blocks);
  const blocks = definition.blocks.map((block) => planBlock(block, ids, predecessors));
  return { definition, hash, plan: { name: definition.name, hash, blocks, onError: definition.onError } };
}
