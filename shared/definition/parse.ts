/**
 * Reads a definition from YAML or JSON text and validates it, collecting
 * every issue with its path before anything runs.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DefinitionError, type DefinitionIssue } from '../errors/index.ts';
import { checkCodeSyntax, checkExpressionSyntax } from './syntax.ts';
import { checkGraph, checkMentions } from './graph.ts';
import { stepExpressions, stepMentions, templatedFields } from './steps.ts';
import { checkPythonSyntax } from './python.ts';
import { isSecretReference, templateTextIssues } from './templates.ts';
import { checkTriggers } from './triggers.ts';
import { checkInputSchema } from './input-schema.ts';
import { checkConcurrency } from './concurrency.ts';
import { parseDuration } from './duration.ts';
import {
  BLOCK_TYPES,
  LOOP_BODY_TYPES,
  MAX_WAIT_MS,
  RESERVED_IDS,
  blockSchemas,
  definitionShellSchema,
  type ApprovalBlock,
  loopBodySchemas,
  type Block,
  type BlockType,
  type Definition,
  type LoopBody,
  type Step,
} from './schema.ts';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function zodIssues(error: z.ZodError, prefix: ReadonlyArray<PropertyKey>): DefinitionIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...prefix, ...issue.path, key]),
        message: 'unknown field',
      }));
    }
    return [{ path: formatPath([...prefix, ...issue.path]), message: issue.message }];
  });
}

/** YAML is a superset of JSON, so one parser serves both; syntax errors carry their line. */
export function parseDefinitionText(text: string, source: string): unknown {
  // With prettyErrors off, yaml sets no linePos: count lines ourselves.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new DefinitionError(
      source,
      doc.errors.map((error) => {
        const line = lineCounter.linePos(error.pos[0]);
        const where = line ? `line ${line.line}, column ${line.col}` : '';
        return { path: where, message: error.message.split('\n')[0] ?? error.message };
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

type Path = ReadonlyArray<PropertyKey>;

function validateStep<T extends Step>(
  schema: z.ZodType<T>,
  raw: unknown,
  at: Path,
  issues: DefinitionIssue[],
): T | undefined {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, at));
    return undefined;
  }
  const step = parsed.data;
  if (step.type === 'code') {
    const path = formatPath([...at, 'code']);
    issues.push(...(step.language === 'python' ? checkPythonSyntax(step.code, path) : checkCodeSyntax({ code: step.code, language: step.language }, path)));
  }
  for (const [field, value] of Object.entries(templatedFields(step))) {
    for (const issue of templateTextIssues(value, [field])) issues.push({ path: formatPath([...at, ...issue.path]), message: issue.message });
  }
  for (const { path, expression } of stepExpressions(step)) {
    if (isSecretReference(expression)) continue;
    issues.push(...checkExpressionSyntax(expression, formatPath([...at, ...path])));
  }
  if (step.type === 'wait' && parseDuration(step.duration) === undefined) {
    issues.push({ path: formatPath([...at, 'duration']), message: `"${String(step.duration)}" is not a duration (milliseconds, or like 30s, 5m, 2h, 1d)` });
  }
  if (step.type === 'wait') {
    const ms = parseDuration(step.duration);
    if (ms !== undefined && ms > MAX_WAIT_MS) issues.push({ path: formatPath([...at, 'duration']), message: 'at most 365 days' });
  }
  if (step.type === 'approval') issues.push(...approvalIssues(step, at));
  return step;
}

/** An approval's timeout is a duration like a wait's; onTimeout means nothing without one. */
function approvalIssues(step: ApprovalBlock, at: Path): DefinitionIssue[] {
  const found: DefinitionIssue[] = [];
  const raw = step.timeout;
  if (raw === undefined) {
    if (step.onTimeout !== 'fail') found.push({ path: formatPath([...at, 'onTimeout']), message: 'needs a timeout' });
    return found;
  }
  const ms = parseDuration(raw);
  if (ms === undefined || ms === 0) {
    found.push({ path: formatPath([...at, 'timeout']), message: `"${String(raw)}" is not a duration (milliseconds, or like 30s, 5m, 2h, 1d)` });
  } else if (ms > MAX_WAIT_MS) {
    found.push({ path: formatPath([...at, 'timeout']), message: 'at most 365 days' });
  }
  return found;
}

function typeOf(raw: unknown, at: Path, allowed: readonly string[], issues: DefinitionIssue[]): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: formatPath(at), message: 'must be an object' });
    return undefined;
  }
  const type = (raw as Record<string, unknown>).type;
  if (typeof type !== 'string' || !allowed.includes(type)) {
    issues.push({
      path: formatPath([...at, 'type']),
      message: typeof type === 'string' ? `unknown block type "${type}" (one of ${allowed.join(', ')})` : `required, one of ${allowed.join(', ')}`,
    });
    return undefined;
  }
  return type;
}

function validateBlock(raw: unknown, index: number, issues: DefinitionIssue[]): Block | undefined {
  const at = ['blocks', index];
  const type = typeOf(raw, at, BLOCK_TYPES, issues) as BlockType | undefined;
  if (!type) return undefined;
  const schema = blockSchemas[type] as z.ZodType<Block>;
  const before = issues.length;
  const block = validateStep(schema, raw, at, issues);
  if (!block) return undefined;
  if (RESERVED_IDS.has(block.id)) {
    issues.push({ path: formatPath([...at, 'id']), message: `"${block.id}" is a reserved name` });
  }
  if (block.type === 'loop') {
    const bodyAt = [...at, 'body'];
    const bodyType = typeOf(block.body, bodyAt, LOOP_BODY_TYPES, issues) as keyof typeof loopBodySchemas | undefined;
    if (!bodyType) return undefined;
    const body = validateStep(loopBodySchemas[bodyType] as z.ZodType<LoopBody>, block.body, bodyAt, issues);
    if (!body) return undefined;
    return issues.length === before ? { ...block, body } : undefined;
  }
  return block;
}

/** Every block id and `trigger` that the block's code or templates mention (a loop's body included). */
export function mentionsOfBlock(block: Block, blockIds: ReadonlySet<string>): string[] {
  const candidates = new Set(['trigger', ...blockIds]);
  const found = [...stepMentions(block, candidates), ...(block.type === 'loop' ? stepMentions(block.body, candidates) : [])];
  return [...new Set(found)].sort();
}

/**
 * What the graph checks need of a block that failed validation: its id and
 * `after` as written, when they have the right shape, so a reference to it or
 * from it is still checked. A block without a usable id gets one no
 * reference can name.
 */
function graphStub(raw: unknown, index: number): Block {
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const id = typeof record.id === 'string' && record.id !== '' ? record.id : `\u0000blocks[${index}]`;
  const after = Array.isArray(record.after) && record.after.every((a) => typeof a === 'string') ? (record.after as string[]) : [];
  return { id, type: 'code', after, code: '', language: 'javascript' } as unknown as Block;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Validates a parsed document; throws a DefinitionError listing every issue. */
export function validateDefinition(value: unknown, source: string): Definition {
  const issues: DefinitionIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DefinitionError(source, [{ path: '', message: 'a definition must be an object with name and blocks' }]);
  }
  const record = value as Record<string, unknown>;
  const shell = definitionShellSchema.safeParse(record);
  if (!shell.success) issues.push(...zodIssues(shell.error, []).filter((issue) => !issue.path.startsWith('blocks[')));
  const rawBlocks = Array.isArray(record.blocks) ? record.blocks : [];
  // Each stage reports what it can, whatever an earlier stage found: fields, then the graph, then mentions.
  const clean: boolean[] = [];
  const blocks = rawBlocks.map((raw, index) => {
    const before = issues.length;
    const block = validateBlock(raw, index, issues);
    clean.push(block !== undefined && issues.length === before);
    return block;
  });
  const valid = blocks.filter((block): block is Block => block !== undefined);
  if (shell.success) issues.push(...checkTriggers(shell.data.triggers), ...checkInputSchema(shell.data.input), ...checkConcurrency(shell.data.concurrency));
  const onError = shell.success ? shell.data.onError : stringList(record.onError);
  const graphBlocks = blocks.map((block, index) => block ?? graphStub(rawBlocks[index], index));
  const graphIssues = checkGraph(graphBlocks, onError);
  issues.push(...graphIssues);
  if (graphIssues.length === 0) {
    const ids = new Set(graphBlocks.map((block) => block.id));
    const cleanBlocks = new Set(graphBlocks.filter((_, index) => clean[index]));
    issues.push(...checkMentions(graphBlocks, onError, (block) => (cleanBlocks.has(block) ? mentionsOfBlock(block, ids) : [])));
  }
  if (issues.length > 0 || !shell.success) throw new DefinitionError(source, issues);
  return {
    name: shell.data.name,
    description: shell.data.description,
    triggers: shell.data.triggers,
    input: shell.data.input,
    ...(shell.data.concurrency ? { concurrency: shell.data.concurrency } : {}),
    blocks: valid,
    onError: shell.data.onError,
  };
}

export function parseDefinition(text: string, source: string): Definition {
  return validateDefinition(parseDefinitionText(text, source), source);
}
