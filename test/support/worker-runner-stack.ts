/**
 * For tests of how the worker and the clients connect (cluster modes, mTLS,
 * certificate rotation): an embedded stack (client, store, local Lambda
 * endpoint) and a worker runner, all on one env, and a one-block run through
 * them.
 */
import { inject } from 'vitest';
import type { Env } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { createLambdaClient } from '../../shared/lambda/client.ts';
import { watchRun } from '../../shared/runs/index.ts';
import { startEmbeddedStack } from '../../local/stack.ts';
import { createBatonWorker } from '../../worker/index.ts';
import { startWorkerRunner } from '../../worker/runner.ts';
import { testEnv } from './test-stack.ts';

/**
 * A test env whose Temporal connection settings are exactly `overrides`, so
 * settings of an earlier test do not leak into the next. Every stack shares
 * one key and one result directory: the executors keep theirs per process.
 */
const shared = testEnv().env;
/** The key and result directory every stack of a test file shares. */
export const SHARED_KEY_AND_STORE = { ENCRYPTION_KEY: shared.ENCRYPTION_KEY!, BATON_RESULTS_URL: shared.BATON_RESULTS_URL! };

export function envWith(overrides: Record<string, string>): Env {
  const env: Env = testEnv({ ...SHARED_KEY_AND_STORE, ...overrides }).env;
  for (const key of Object.keys(env)) {
    if (/^TEMPORAL_(TLS|API_KEY|PROFILE|CONFIG_FILE)/.test(key) && !(key in overrides)) delete env[key];
  }
  return env;
}

const HELLO = `name: hello-through
blocks:
  - id: greet
    type: code
    code: return 'hello over ' + trigger.data
`;

export type WorkerRunnerStack = Awaited<ReturnType<typeof startWorkerRunnerStack>>;

export async function startWorkerRunnerStack(overrides: Record<string, string>) {
  const stack = await startEmbeddedStack({ env: envWith(overrides), worker: false });
  const lines: string[] = [];
  const runner = await startWorkerRunner({
    env: stack.env,
    config: stack.config,
    log: (line) => lines.push(line),
    createWorker: (connection) =>
      createBatonWorker({
        connection,
        config: stack.config,
        lambda: createLambdaClient({ endpoint: stack.lambdaEndpoint.url }),
        store: stack.store,
        workflowBundle: { codePath: inject('workflowBundlePath') },
      }),
  });
  const running = runner.run();
  return {
    stack,
    runner,
    /** What the runner logged. */
    lines,
    /** One run of a one-block workflow that answers `hello over <greeting>`. */
    async run(greeting: string) {
      const compiled = compileDefinition(parseDefinition(HELLO, 'hello-through.yaml'));
      const { handle } = await stack.start(compiled, { type: 'manual', data: greeting });
      return watchRun(handle, stack.store);
    },
    async stop() {
      runner.shutdown();
      await running;
      await stack.stop();
    },
  };
}
