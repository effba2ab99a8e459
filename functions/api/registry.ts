/**
 * The deployed registry: definitions in the workflows directory, found by
 * their `name`. Parsed and compiled once per file version (path + mtime).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compileDefinition, loadDefinitionFile, type CompiledDefinition } from '../../shared/definition/index.ts';

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
