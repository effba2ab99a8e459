/**
 * A real stack for one test file: the run's Temporal dev server, a fresh key
 * and result directory, a task queue of its own, the local Lambda endpoint
 * with the real executor handlers, and an in-process worker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { generateKey } from '../../shared/codec/index.ts';
import { compileDefinition, memoryRegistry, parseDefinition } from '../../shared/definition/index.ts';
import { watchRun, type BlockChange, type RunHandle, type RunOutcome } from '../../shared/runs/index.ts';
import { startEmbeddedStack, type EmbeddedStack } from '../../local/stack.ts';

export const TEST_NAMESPACE = 'baton-test';

export interface RunOptions {
  /** YAML texts of the workflows the run's workflow steps may start. */
  readonly workflows?: readonly string[];
}

export interface TestStack extends EmbeddedStack {
  readonly resultsDir: string;
  /** Starts a definition (YAML text) and returns at once. */
  begin(yaml: string, data?: unknown, options?: RunOptions): Promise<{ runId: string; handle: RunHandle; eagerlyStarted?: boolean }>;
  /** Runs a definition (YAML text) to its end. */
  run(yaml: string, data?: unknown, options?: RunOptions): Promise<RunOutcome & { runId: string; changes: BlockChange[] }>;
}

export function testEnv(overrides: Record<string, string> = {}) {
  const resultsDir = mkdtempSync(join(tmpdir(), 'baton-results-'));
  return {
    resultsDir,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: TEST_NAMESPACE,
      BATON_TASK_QUEUE: `test-${Math.random().toString(36).slice(2, 10)}`,
      ENCRYPTION_KEY: generateKey(),
      BATON_RESULTS_URL: `file://${resultsDir}`,
      ...overrides,
    },
  };
}

export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const { env, resultsDir } = testEnv(overrides);
  const stack = await startEmbeddedStack({
    env,
    worker: true,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const begin = (yaml: string, data: unknown = null, options: RunOptions = {}) => {
    const compiled = compileDefinition(parseDefinition(yaml, 'test.yaml'));
    const registry = memoryRegistry((options.workflows ?? []).map((text) => compileDefinition(parseDefinition(text, 'child.yaml'))));
    return stack.start(compiled, { type: 'manual', data }, registry);
  };
  return {
    ...stack,
    resultsDir,
    begin,
    async run(yaml, data = null, options = {}) {
      const { runId, handle } = await begin(yaml, data, options);
      const changes: BlockChange[] = [];
      const outcome = await watchRun(handle, stack.store, (change) => changes.push(change));
      return { ...outcome, runId, changes };
    },
  };
}
