/**
 * What every executor needs, built once per container from an injected env
 * and reused across warm invocations (STYLE 8): the key ring, the result
 * store, the sandbox and a cache of definitions by hash. Nothing here reads
 * process.env; the Lambda entry points pass it in (define-executor.ts).
 */
import { z } from 'zod';
import { keyRingFromEnv, type KeyRing } from '../../shared/codec/key-ring.ts';
import { logSettings } from '../../shared/log/index.ts';
import { tracingSettings } from '../../shared/tracing/index.ts';
import { coreSettings, envWholeNumber, parseEnv, parseResultsUrl, type Env } from '../../shared/config/index.ts';
import { openResultStore, type ResultStore } from '../../shared/store/index.ts';
import { approvalLinksFromEnv, approvalLinkSettings, type ApprovalLinks } from '../../shared/auth/approval-links.ts';
import { validateDefinition, type Definition } from '../../shared/definition/index.ts';
import { DEFAULT_MAX_RESULT_BYTES, storeKeys } from '../../shared/contract/index.ts';
import { Sandbox, sandboxOptionsFromEnv, sandboxSettings } from './sandbox/index.ts';
import { PythonSandbox, pythonOptionsFromEnv, pythonSettings } from './sandbox/python/index.ts';

const DEFINITION_CACHE_SIZE = 200;

export interface ExecutorRuntime {
  /** The settings the runtime was built from (an executor's own setup reads its settings here too). */
  readonly env: Env;
  readonly keyRing: KeyRing;
  readonly store: ResultStore;
  readonly maxResultBytes: number;
  /** Warm isolates for user code, with BATON_SANDBOX_MEMORY_MB and the BATON_SECRET_* values it masks. */
  readonly sandbox: Sandbox;
  /** Fresh Python interpreters, booted only once a Python block runs; masks the same secrets as `sandbox`. */
  readonly python: PythonSandbox;
  /** The resume links of approval blocks (context.approvalUrl). */
  readonly approvalLinks: ApprovalLinks;
  definition(hash: string): Promise<Definition>;
}

/** What the runtime reads; each executor's schema spreads these beside its own (defineExecutor's `settings`). */
export const executorRuntimeSettings = {
  BATON_STAGE: coreSettings.BATON_STAGE,
  BATON_RESULTS_URL: coreSettings.BATON_RESULTS_URL,
  ENCRYPTION_KEY: coreSettings.ENCRYPTION_KEY,
  BATON_ENCRYPTION_KEYS: coreSettings.BATON_ENCRYPTION_KEYS,
  BATON_MAX_RESULT_BYTES: envWholeNumber(1, Number.MAX_SAFE_INTEGER, 'must be a positive whole number of bytes'),
  ...sandboxSettings,
  ...pythonSettings,
  ...logSettings,
  ...tracingSettings,
  ...approvalLinkSettings,
};

export function createExecutorRuntime(env: Env, options: { readonly sandbox?: Sandbox; readonly python?: PythonSandbox } = {}): ExecutorRuntime {
  const settings = parseEnv(z.object(executorRuntimeSettings), env);
  const keyRing = keyRingFromEnv(env);
  const store = openResultStore(parseResultsUrl(env), keyRing, env);
  // Definitions are immutable by hash, so a cache never goes stale.
  const definitions = new Map<string, Promise<Definition>>();
  const sandbox = options.sandbox ?? new Sandbox(sandboxOptionsFromEnv(env));
  return {
    env,
    keyRing,
    store,
    maxResultBytes: settings.BATON_MAX_RESULT_BYTES ?? DEFAULT_MAX_RESULT_BYTES,
    sandbox,
    approvalLinks: approvalLinksFromEnv(env),
    python: options.python ?? new PythonSandbox(pythonOptionsFromEnv(env, sandbox.secrets)),
    definition(hash) {
      let cached = definitions.get(hash);
      if (!cached) {
        cached = store.requireJson(storeKeys.definition(hash)).then((raw) => validateDefinition(raw, `definition ${hash}`));
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
