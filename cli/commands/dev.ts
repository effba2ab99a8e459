/**
 * `baton dev`: the embedded stack in the foreground. Ctrl-C (or SIGTERM)
 * stops the API, the worker, the Lambda endpoint and the dev server, in that
 * order, and leaves nothing running; so does the death of its launcher, and a
 * SIGKILL of this process takes the dev server with it (local/tied-spawn.ts).
 */
import { join, resolve } from 'node:path';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { bootstrapLine, bootstrapVersions, versionRegistry, versionStoreOf } from '../../shared/versions/index.ts';
import { approvalLinksFromEnv } from '../../shared/auth/approval-links.ts';
import { startApiServer } from '../../local/api-server.ts';
import { startRateFromEnv } from '../../functions/api/config.ts';
import { startRateLimit } from '../../functions/api/start-rate.ts';
import { installLastResort } from '../../shared/log/last-resort.ts';
import { batonDir, withLocalDefaults } from '../../local/local-settings.ts';
import { startEmbeddedStack } from '../../local/stack.ts';
import { loadDefinitionFile } from '../../shared/definition/index.ts';
import { runOnStack } from './run.ts';
import { reconcileSchedulesAtStart } from '../../shared/schedules/index.ts';
import { onShutdown, stopRequested } from '../shutdown.ts';
import { buildUi } from '../../local/ui-build.ts';
import { loadUiAssets } from '../../functions/api/ui-assets.ts';

export interface DevOptions {
  readonly run?: string;
  readonly ui: boolean;
  readonly apiPort: string;
}

export async function devCommand(options: DevOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // One bad request must not stop the API, the codec server and the worker this process holds.
  installLastResort('baton dev', log);
  const { env, apiKeyFile } = withLocalDefaults(process.env);
  // Read before anything starts, so a bad rate stops the command with one line.
  const startRate = startRateFromEnv(env);
  const stack = await startEmbeddedStack({
    env,
    dbFile: join(batonDir(), 'temporal.db'),
    devServerStateFile: join(batonDir(), 'temporal-dev.json'),
    ui: options.ui,
    worker: true,
    log,
  });
  const forgetStack = onShutdown(() => stack.stop());
  // The workflows directory is the bootstrap; triggers, schedules and workflow steps use the released versions.
  const versions = versionStoreOf(stack.store);
  try {
    log(bootstrapLine(await bootstrapVersions(versions, resolve(env.BATON_WORKFLOWS_DIR ?? 'workflows'))));
  } catch (error) {
    log(`workflows: not bootstrapped: ${error instanceof Error ? error.message : String(error)}`);
  }
  const registry = versionRegistry(versions);
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
        versions,
        checkApiKey: apiKeyCheckFromEnv(stack.env),
        approvalLinks: approvalLinksFromEnv(stack.env),
        ui,
        ...(startRate ? { limitStarts: startRateLimit(startRate) } : {}),
      },
      { port: Number(options.apiPort) },
    );
  } catch (error) {
    forgetStack();
    await stack.stop();
    throw error;
  }
  forgetStack();
  onShutdown(async () => {
    await api?.close();
    await stack.stop();
    log('stopped');
  });
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

  await reconcileSchedulesAtStart({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry }, log);
  if (options.run) {
    await loadDefinitionFile(options.run)
      .then((definition) => runOnStack(stack, definition, null, registry))
      .catch((error: unknown) => log(`baton dev --run: ${String(error)}`));
  }
  // Runs until a signal (or the launcher's death): cli/shutdown.ts then runs the cleanups above and exits.
  await stopRequested();
}
