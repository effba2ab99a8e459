/**
 * The Registry the API, the worker's schedules and workflow steps use once
 * workflows are published: a name finds its released version, compiled once
 * per content hash, its plan carrying the version number so the run records
 * which version it is on (and keeps it: the plan travels in the run's input).
 */
import { compileDefinition, type CompiledDefinition, type Registry } from '../definition/index.ts';
import { WORKFLOW_NAME } from '../definition/schema.ts';
import { StoreError } from '../errors/index.ts';
import type { StoredVersion, VersionStore } from './version-store.ts';

const compiledByHash = new Map<string, CompiledDefinition>();

/** A stored version, compiled, its plan numbered. */
export function compileVersion(stored: StoredVersion): CompiledDefinition {
  let compiled = compiledByHash.get(stored.hash);
  if (!compiled) {
    compiled = compileDefinition(stored.definition);
    // The store is sealed per key, so this only fails if the compiler changed what a definition hashes to.
    if (compiled.hash !== stored.hash) {
      throw new StoreError(`workflows/${stored.name}/versions/${stored.version}`, `content hash ${compiled.hash} differs from the recorded ${stored.hash}`);
    }
    compiledByHash.set(stored.hash, compiled);
  }
  return { ...compiled, plan: { ...compiled.plan, version: stored.version } };
}

export function versionRegistry(versions: VersionStore): Registry {
  return {
    async find(name) {
      if (!WORKFLOW_NAME.test(name)) return undefined;
      const stored = await versions.released(name);
      return stored ? compileVersion(stored) : undefined;
    },
    async list() {
      const names = await versions.names();
      const released = await Promise.all(names.map((name) => versions.released(name)));
      return released.flatMap((stored) => (stored ? [compileVersion(stored)] : []));
    },
  };
}
