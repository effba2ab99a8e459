/**
 * `baton validate FILE...`: every error of every file, with its path; the
 * workflows a file's workflow steps start must be in the workflows directory
 * (`--workflows DIR`, as `baton run` looks them up), and parse there.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DefinitionError, errorMessage, type DefinitionIssue } from '../../shared/errors/index.ts';
import { directoryRegistry, loadDefinitionFile, parseDefinitionText, type Registry } from '../../shared/definition/index.ts';

export interface ValidateOptions {
  readonly workflows: string;
}

type Raw = Record<string, unknown>;

function asRecord(value: unknown): Raw | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : undefined;
}

/**
 * Each workflow step of the document (loop bodies included) whose workflow the
 * registry cannot give. It reads the document as written, so it reports even
 * when other parts of the definition are invalid.
 */
async function childWorkflowIssues(file: string, registry: Registry, dir: string): Promise<DefinitionIssue[]> {
  let document: Raw | undefined;
  try {
    document = asRecord(parseDefinitionText(await readFile(file, 'utf8'), file));
  } catch {
    return []; // unreadable or not YAML: loadDefinitionFile reports that
  }
  const issues: DefinitionIssue[] = [];
  const blocks = Array.isArray(document?.blocks) ? (document.blocks as unknown[]) : [];
  for (const [index, raw] of blocks.entries()) {
    const block = asRecord(raw);
    const [step, path] = block?.type === 'loop' ? [asRecord(block.body), `blocks[${index}].body.workflow`] : [block, `blocks[${index}].workflow`];
    if (step?.type !== 'workflow' || typeof step.workflow !== 'string' || step.workflow === document?.name) continue;
    try {
      if (!(await registry.find(step.workflow))) issues.push({ path, message: `workflow "${step.workflow}" not found in the workflows directory ${dir}` });
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      const why = error.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ');
      issues.push({ path, message: `workflow "${step.workflow}" is in ${error.source}, which is invalid (${why})` });
    }
  }
  return issues;
}

export async function validateCommand(files: string[], options: ValidateOptions): Promise<void> {
  const dir = resolve(options.workflows);
  const registry = directoryRegistry(dir);
  let failed = false;
  for (const file of files) {
    try {
      const children = await childWorkflowIssues(file, registry, dir);
      const own = await loadDefinitionFile(file).then(
        () => [],
        (error: unknown) => {
          if (error instanceof DefinitionError) return error.issues;
          throw error;
        },
      );
      if (own.length + children.length > 0) throw new DefinitionError(file, [...own, ...children]);
      console.log(`${file}: ok`);
    } catch (error) {
      failed = true;
      console.error(error instanceof DefinitionError ? error.message : `${file}: ${errorMessage(error)}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
