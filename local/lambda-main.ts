/**
 * The local Lambda Invoke endpoint as a process of its own, as AWS runs the
 * executors apart from the worker: the benchmarks measure the worker's CPU
 * without the executors' in it, and the fault tests put a proxy between them.
 *
 *   node --no-node-snapshot --import tsx local/lambda-main.ts [--port N]
 *
 * Reads the executors' settings from the environment (ENCRYPTION_KEY,
 * BATON_RESULTS_URL, BATON_RESOURCES, ...), prints `{"url": ...}` on stdout
 * once it listens, and stops on SIGTERM or SIGINT.
 */
import { loadConfig } from '../shared/config/index.ts';
import { errorMessage } from '../shared/errors/index.ts';
import { localExecutors } from './executors.ts';
import { startLambdaEndpoint } from './lambda-endpoint.ts';
import { installLastResort } from '../shared/log/last-resort.ts';

function portArgument(argv: readonly string[]): number {
  const at = argv.indexOf('--port');
  if (at === -1) return 0;
  const port = Number(argv[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${argv[at + 1] ?? ''}"`);
  return port;
}

async function main(): Promise<void> {
  // A bug outside any invocation's handling is logged (class and frames, no message) and the endpoint keeps serving.
  installLastResort('baton lambda endpoint');
  const config = loadConfig(process.env);
  const endpoint = await startLambdaEndpoint({
    functions: localExecutors(config.functions, process.env).functions,
    port: portArgument(process.argv.slice(2)),
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify({ url: endpoint.url }));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void endpoint.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(`baton lambda endpoint: ${errorMessage(error)}`);
  process.exit(1);
});
