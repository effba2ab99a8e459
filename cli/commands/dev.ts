/**
 * `baton dev`: the embedded stack in the foreground. Ctrl-C (or SIGTERM)
 * stops the API, the worker, the Lambda endpoint and the dev server, in that
 * order, and leaves nothing running.
 */
import { join, resolve } from 'node:path';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { batonDir, withLocalDefaults } from '../../local/local-settings.ts';
import { startEmbeddedStack } from '../../local/stack.ts';
import { loadDefinitionFile } from '../../shared/definition/index.ts';
import { runOnStack } from './run.ts';
import { reconcileSchedulesAtStart } from '../../shared/schedules/index.ts';
import { buildUi } from '../../local/ui-build.ts';
import { loadUiAssets } from '../../functions/api/ui-assets.ts';

export interface DevOptions {
  readonly run?: string;
  readonly ui: boolean;
  readonly apiPort: string;
}

export async function devCommand(options: DevOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { env, apiKeyFile } = withLocalDefaults(process.env);
  const stack = await startEmbeddedStack({ env, dbFile: join(batonDir(), 'temporal.db'), ui: options.ui, worker: true, log });
  const registry = directoryRegistry(resolve(env.BATON_WORKFLOWS_DIR ?? 'workflows'));
  let api: Awaited<ReturnType<typeof startApiServer>> | undefined;
  try {
    // The run viewer, built from ui/ at each start so it matches this checkout.
    const ui = loadUiAssets((await buildUi(join(batonDir(), 'ui'))).dir);
    api = await startApiServer(
      {
        client: stack.client,
        store: stack.store,
        taskQueue: stack.config.taskQueue,
        registry,
        checkApiKey: apiKeyCheckFromEnv(stack.env),
        ui,
      },
      { port: Number(options.apiPort) },
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  log(
    [
      'baton dev is up',
      `  Temporal    ${stack.config.temporal.address}  namespace ${stack.config.temporal.namespace}`,
      ...(stack.devServer?.uiUrl ? [`  Web UI      ${stack.devServer.uiUrl}`] : []),
      ...(stack.codecServer ? [`  Codec       ${stack.codecServer.url}  (the Web UI decodes through it; token: BATON_CODEC_TOKENS or .baton/codec-token)`] : []),
      `  Lambda      ${stack.lambdaEndpoint.url}`,
      `  API         ${api.url}  (key in ${apiKeyFile ?? 'BATON_API_KEYS'})`,
      `  Run viewer  ${api.url}/ui/  (sign in with the API key)`,
      `  results     ${stack.config.resultsUrl}`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );

  const stopped = new Promise<void>((resolveStop) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`\n${signal}: stopping`);
      void (async () => {
        await api?.close();
        await stack.stop();
        resolveStop();
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await reconcileSchedulesAtStart({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry }, log);
  if (options.run) {
    await loadDefinitionFile(options.run)
      .then((definition) => runOnStack(stack, definition, null, registry))
      .catch((error: unknown) => log(`baton dev --run: ${String(error)}`));
  }
  await stopped;
  log('stopped');
}
