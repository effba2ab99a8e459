/**
 * What every executor handler needs, built once per container from its env
 * and reused across warm invocations (STYLE 8).
 */
import { ConfigError } from '../errors.ts';
import { keyRingFromEnv, type KeyRing } from '../codec/key-ring.ts';
import { parseResultsUrl, type Env } from '../config/index.ts';
import { openResultStore, storeKeys, type ResultStore } from '../store/index.ts';
import { validateDefinition, type Definition } from '../definition/index.ts';
import { Sandbox, sandboxOptionsFromEnv } from '../sandbox/index.ts';

export const DEFAULT_MAX_RESULT_BYTES = 10 * 1024 * 1024;
const DEFINITION_CACHE_SIZE = 200;

export interface ExecutorRuntime {
  readonly keyRing: KeyRing;
  readonly store: ResultStore;
  readonly maxResultBytes: number;
  /** Warm isolates for user code, with BATON_SANDBOX_MEMORY_MB and the BATON_SECRET_* values it masks. */
  readonly sandbox: Sandbox;
  definition(hash: string): Promise<Definition>;
}

function parseMaxResultBytes(env: Env): number {
  const text = env.BATON_MAX_RESULT_BYTES?.trim();
  if (!text) return DEFAULT_MAX_RESULT_BYTES;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError('BATON_MAX_RESULT_BYTES', `must be a positive whole number of bytes, got "${text}"`);
  }
  return value;
}

export function createExecutorRuntime(env: Env): ExecutorRuntime {
  const keyRing = keyRingFromEnv(env);
  const store = openResultStore(parseResultsUrl(env), keyRing);
  // Definitions are immutable by hash, so a cache never goes stale.
  const definitions = new Map<string, Promise<Definition>>();
  return {
    keyRing,
    store,
    maxResultBytes: parseMaxResultBytes(env),
    sandbox: new Sandbox(sandboxOptionsFromEnv(env)),
    definition(hash) {
      let cached = definitions.get(hash);
      if (!cached) {
        cached = store
          .requireJson(storeKeys.definition(hash))
          .then((raw) => validateDefinition(raw, `definition ${hash}`));
        cached.catch(() => definitions.delete(hash));
        if (definitions.size >= DEFINITION_CACHE_SIZE) {
          const oldest = definitions.keys().next().value;
          if (oldest !== undefined) definitions.delete(oldest);
        }
        definitions.set(hash, cached);
      }
      return cached;
    },
  };
}

let shared: ExecutorRuntime | undefined;

/** The container's runtime, built from process.env on first use (not at import, so tests can set env first). */
export function executorRuntime(): ExecutorRuntime {
  shared ??= createExecutorRuntime(process.env);
  return shared;
}

/** The embedded stack starts afresh with its settings (a new key ring, say), as a Lambda deploy starts new containers. */
export function resetExecutorRuntime(): void {
  shared = undefined;
}
