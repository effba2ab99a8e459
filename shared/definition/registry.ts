/**
 * Where workflow steps find the definitions they start: the workflows
 * directory (deployed with the functions and the worker; `--workflows DIR`
 * for the CLI), found by their `name`, parsed and compiled once per file
 * version (path + mtime). A run resolves every workflow it may start when it
 * starts, so a redeploy never changes a run in flight.
 */
import { readdir, stat } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DefinitionError } from '../errors/index.ts';
import { compileDefinition, type CompiledDefinition } from './compile.ts';
import { loadDefinitionFile } from './load.ts';
import { parseDefinitionText } from './parse.ts';
import type { Plan } from '../contract/plan.ts';

export interface Registry {
  find(name: string): Promise<CompiledDefinition | undefined>;
  /** Every definition; throws a DefinitionError when a file is broken, so nothing acts on a partial view. */
  list(): Promise<CompiledDefinition[]>;
}

export function directoryRegistry(dir: string): Registry {
  const cache = new Map<string, { mtimeMs: number; compiled: CompiledDefinition | undefined; error?: DefinitionError; names?: string[] }>();
  const load = async () => {
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      return [];
    }
    const entries = [];
    for (const file of files.filter((f) => /\.(ya?ml|json)$/.test(f)).sort()) {
      const path = join(dir, file);
      const { mtimeMs } = await stat(path);
      let entry = cache.get(path);
      if (!entry || entry.mtimeMs !== mtimeMs) {
        try {
          entry = { mtimeMs, compiled: compileDefinition(await loadDefinitionFile(path)) };
        } catch (error) {
          if (!(error instanceof DefinitionError)) throw error;
          // Named by file, not by server path; and the names it may hold, so a request for it gets this error.
          entry = { mtimeMs, compiled: undefined, error: new DefinitionError(file, error.issues), names: await namesOfBroken(path, file) };
        }
        cache.set(path, entry);
      }
      entries.push(entry);
    }
    return entries;
  };
  return {
    async find(name) {
      // A broken file must not hide the valid ones; but asked for the workflow it holds, say why it is not there.
      const entries = await load();
      const found = entries.find((entry) => entry.compiled?.definition.name === name)?.compiled;
      if (found) return found;
      const broken = entries.find((entry) => entry.names?.includes(name));
      if (broken?.error) throw broken.error;
      return undefined;
    },
    async list() {
      const entries = await load();
      const broken = entries.flatMap((entry) => (entry.error ? [entry.error] : []));
      if (broken.length > 0) {
        throw new DefinitionError(dir, broken.map((error) => ({ path: error.source, message: error.issues.map((i) => `${i.path}: ${i.message}`).join('; ') })));
      }
      return entries.flatMap((entry) => (entry.compiled ? [entry.compiled] : []));
    },
  };
}

/** The file's stem, and the `name` it declares if the text parses that far. */
async function namesOfBroken(path: string, file: string): Promise<string[]> {
  const names = [basename(file, extname(file))];
  try {
    const value = parseDefinitionText(await readFile(path, 'utf8'), file) as { name?: unknown } | null;
    if (typeof value?.name === 'string') names.push(value.name);
  } catch {
    // not even YAML: the file name is all there is
  }
  return names;
}

export function memoryRegistry(definitions: readonly CompiledDefinition[]): Registry {
  const byName = new Map(definitions.map((compiled) => [compiled.definition.name, compiled]));
  return { find: (name) => Promise.resolve(byName.get(name)), list: () => Promise.resolve([...byName.values()]) };
}

/** Every workflow a run of `root` may start, transitively, by name; a missing one is a DefinitionError. */
export async function resolveWorkflows(root: CompiledDefinition, registry: Registry): Promise<Map<string, CompiledDefinition>> {
  const found = new Map<string, CompiledDefinition>([[root.definition.name, root]]);
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift() as CompiledDefinition;
    const steps = current.definition.blocks.map((block, index) => ({ step: block.type === 'loop' ? block.body : block, index }));
    for (const { step, index } of steps) {
      if (step.type !== 'workflow' || found.has(step.workflow)) continue;
      const child = await registry.find(step.workflow);
      if (!child) {
        throw new DefinitionError(current.definition.name, [
          { path: `blocks[${index}].workflow`, message: `workflow "${step.workflow}" not found in the workflows directory` },
        ]);
      }
      found.set(step.workflow, child);
      queue.push(child);
    }
  }
  return found;
}

export function plansByName(workflows: ReadonlyMap<string, CompiledDefinition>): Record<string, Plan> {
  return Object.fromEntries([...workflows].map(([name, compiled]) => [name, compiled.plan]));
}
