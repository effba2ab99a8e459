/**
 * Where workflow steps find the definitions they start: the workflows
 * directory (deployed with the functions and the worker; `--workflows DIR`
 * for the CLI), found by their `name`, parsed and compiled once per file
 * version (path + mtime). A run resolves every workflow it may start when it
 * starts, so a redeploy never changes a run in flight.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DefinitionError } from '../errors.ts';
import { compileDefinition, type CompiledDefinition } from './compile.ts';
import { loadDefinitionFile } from './load.ts';
import type { Plan } from './plan.ts';

export interface Registry {
  find(name: string): Promise<CompiledDefinition | undefined>;
}

export function directoryRegistry(dir: string): Registry {
  const cache = new Map<string, { mtimeMs: number; compiled: CompiledDefinition | undefined }>();
  return {
    async find(name) {
      let files: string[];
      try {
        files = await readdir(dir);
      } catch {
        return undefined;
      }
      for (const file of files.filter((f) => /\.(ya?ml|json)$/.test(f)).sort()) {
        const path = join(dir, file);
        const { mtimeMs } = await stat(path);
        let entry = cache.get(path);
        if (!entry || entry.mtimeMs !== mtimeMs) {
          // A broken file must not hide the valid ones: it is skipped here and reported by `baton validate`.
          const compiled = await loadDefinitionFile(path).then(compileDefinition, () => undefined);
          entry = { mtimeMs, compiled };
          cache.set(path, entry);
        }
        if (entry.compiled?.definition.name === name) return entry.compiled;
      }
      return undefined;
    },
  };
}

export function memoryRegistry(definitions: readonly CompiledDefinition[]): Registry {
  const byName = new Map(definitions.map((compiled) => [compiled.definition.name, compiled]));
  return { find: (name) => Promise.resolve(byName.get(name)) };
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
