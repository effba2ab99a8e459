/**
 * Reads a definition from YAML or JSON text and validates it, collecting
 * every issue with its path before anything runs.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DefinitionError, type DefinitionIssue } from '../errors.ts';
import { checkCodeSyntax } from './syntax.ts';
import { checkGraph } from './graph.ts';
import {
  BUILT_BLOCK_TYPES,
  RESERVED_IDS,
  UNBUILT_TOP_LEVEL,
  V1_BLOCK_TYPES,
  codeBlockSchema,
  definitionShellSchema,
  type Block,
  type Definition,
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

function validateBlock(raw: unknown, index: number, issues: DefinitionIssue[]): Block | undefined {
  const at = ['blocks', index];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: formatPath(at), message: 'a block must be an object' });
    return undefined;
  }
  const type = (raw as Record<string, unknown>).type;
  if (typeof type !== 'string') {
    issues.push({ path: formatPath([...at, 'type']), message: `required, one of ${V1_BLOCK_TYPES.join(', ')}` });
    return undefined;
  }
  if (!(BUILT_BLOCK_TYPES as readonly string[]).includes(type)) {
    issues.push({
      path: formatPath([...at, 'type']),
      message: (V1_BLOCK_TYPES as readonly string[]).includes(type)
        ? `block type "${type}" is not supported yet (this build runs ${BUILT_BLOCK_TYPES.join(', ')} blocks)`
        : `unknown block type "${type}" (one of ${V1_BLOCK_TYPES.join(', ')})`,
    });
    return undefined;
  }
  const parsed = codeBlockSchema.safeParse(raw);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, at));
    return undefined;
  }
  if (RESERVED_IDS.has(parsed.data.id)) {
    issues.push({ path: formatPath([...at, 'id']), message: `"${parsed.data.id}" is a reserved name` });
  }
  issues.push(...checkCodeSyntax(parsed.data, formatPath([...at, 'code'])));
  return parsed.data;
}

/** Validates a parsed document; throws a DefinitionError listing every issue. */
export function validateDefinition(value: unknown, source: string): Definition {
  const issues: DefinitionIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DefinitionError(source, [{ path: '', message: 'a definition must be an object with name and blocks' }]);
  }
  const record = value as Record<string, unknown>;
  for (const key of UNBUILT_TOP_LEVEL) {
    if (key in record) issues.push({ path: key, message: `"${key}" is not supported yet` });
  }
  const shellInput = Object.fromEntries(
    Object.entries(record).filter(([key]) => !(UNBUILT_TOP_LEVEL as readonly string[]).includes(key)),
  );
  const shell = definitionShellSchema.safeParse(shellInput);
  if (!shell.success) issues.push(...zodIssues(shell.error, []));
  const rawBlocks = Array.isArray(record.blocks) ? record.blocks : [];
  const blocks = rawBlocks.map((raw, index) => validateBlock(raw, index, issues));
  const valid = blocks.filter((block): block is Block => block !== undefined);
  if (valid.length === rawBlocks.length) issues.push(...checkGraph(valid));
  if (issues.length > 0 || !shell.success) throw new DefinitionError(source, issues);
  return { name: shell.data.name, description: shell.data.description, blocks: valid };
}

export function parseDefinition(text: string, source: string): Definition {
  return validateDefinition(parseDefinitionText(text, source), source);
}
