/**
 * The worker's entry point (the container's command): connects to Temporal
 * (plain, TLS, mTLS or API key; worker/runner.ts reconnects when certificate
 * files change), makes sure the stage's namespace and Baton's search
 * attribute are there, serves batonRun and the block activities with the
 * tuning from the environment, reconciles the schedules of the deployed
 * definitions, answers health checks, exports Prometheus metrics, and on
 * SIGTERM or SIGINT stops polling, lets in-flight blocks finish, and exits 0.
 */
import { Runtime, type WorkflowBundleOption } from '@temporalio/worker';
import type { Env } from '../shared/config/index.ts';
import { withSecretRefs } from '../shared/secrets/secret-refs.ts';
import { createLambdaClient } from '../shared/lambda/client.ts';
import { openResultStore } from '../shared/store/index.ts';
import { errorMessage } from '../shared/errors/index.ts';
import { connectClient, describeTarget, ensureNamespace, temporalSettings, whenNamespaceKnown } from '../shared/temporal/index.ts';
import { bootstrapLine, bootstrapVersions, versionRegistry, versionStoreOf } from '../shared/versions/index.ts';
import { ensureSearchAttribute, BATON_WORKFLOW_ATTRIBUTE } from '../shared/runs/index.ts';
import { reconcileSchedulesAtStart } from '../shared/schedules/index.ts';
import { bundleBatonWorkflows, createBatonWorker } from './worker.ts';
import { startWorkerRunner } from './runner.ts';
import { startHealthServer } from './health.ts';
import { blockMetricsInterceptor, createBlockMetrics } from './metrics.ts';
import { blockLogInterceptor } from './block-log.ts';
import { startTracing } from '../shared/tracing/index.ts';
import { loadWorkerSettings } from './settings.ts';
import { FORWARD_CORE_LOGS, sdkLoggerFor } from './sdk-logger.ts';
import { createLogger, logOptionsFromEnv, type Logger } from '../shared/log/index.ts';
import { installLastResort } from '../shared/log/last-resort.ts';

const COMPONENT = 'baton worker';
/** The defaults until the settings are read (a bad one is reported through this). */
let logger: Logger = createLogger({ component: COMPONENT });
const log = (line: string) => logger.info(line);

/** Millisecond buckets from a fast warm invoke to a 15-minute Lambda timeout. */
const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000];
/** A queued run may wait from a moment to hours. */
const QUEUE_WAIT_BUCKETS_MS = [100, 1000, 5000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000];

function installRuntime(metricsAddress: string | undefined): void {
  Runtime.install({
    // The SDK's lines are ours too, with ids and codes but never a user's message or data.
    logger: sdkLoggerFor(logger),
    // Signals are handled below, so a certificate swap and a shutdown cannot cross.
    shutdownSignals: [],
    telemetryOptions: {
      logging: FORWARD_CORE_LOGS,
      ...(metricsAddress
        ? {
            metrics: {
              prometheus: { bindAddress: metricsAddress, histogramBucketOverrides: { baton_executor_latency: LATENCY_BUCKETS_MS, baton_run_queue_wait: QUEUE_WAIT_BUCKETS_MS } },
            },
          }
        : {}),
    },
  });
}

async function main(): Promise<void> {
  // A bug outside any task handler is logged (class and frames, no message) and the worker keeps polling.
  installLastResort(COMPONENT, (line) => logger.error(line));
  // Secrets by reference are resolved into a copy: every setting below reads this env, none process.env.
  const env: Env = await withSecretRefs(process.env);
  // Every setting is read before anything connects, so a bad one stops start-up with one line.
  const { config, tuning, healthPort, metricsAddress, workflowBundle: prebuilt, workflowsDir } = loadWorkerSettings(env);
  logger = createLogger({ component: COMPONENT, ...logOptionsFromEnv(env) });
  installRuntime(metricsAddress);
  // Before the client connects: a traced process's client hands its trace context to the runs it starts.
  const tracing = startTracing('baton-worker', env);

  const settings = temporalSettings(env, config);
  const client = await connectClient(env, config);
  const namespace = await ensureNamespace(client.workflowService, { namespace: settings.namespace, address: settings.address });
  if (namespace.status === 'registered') log(`registered namespace ${settings.namespace} (retention ${namespace.retentionDays} days)`);
  await whenNamespaceKnown(() => ensureSearchAttribute(client, settings.namespace)).catch((error: unknown) => {
    throw new Error(
      `search attribute ${BATON_WORKFLOW_ATTRIBUTE} (Keyword) is missing in namespace ${settings.namespace} and could not be added ` +
        `(${errorMessage(error)}); add it, e.g. \`temporal operator search-attribute create --namespace ${settings.namespace} --name ${BATON_WORKFLOW_ATTRIBUTE} --type Keyword\`` +
        ' (Temporal Cloud: in the namespace settings or with tcld)',
      { cause: error },
    );
  });

  const workflowBundle: WorkflowBundleOption = prebuilt ?? (await bundleBatonWorkflows());
  const metrics = createBlockMetrics(
    Runtime.instance().metricMeter.withTags({ namespace: config.temporal.namespace, task_queue: config.taskQueue }),
  );
  const store = openResultStore(config.resultsUrl, config.keyRing, env);
  const lambda = createLambdaClient({ endpoint: config.lambdaEndpoint });

  const runner = await startWorkerRunner({
    env,
    config,
    log,
    createWorker(connection) {
      return createBatonWorker({
        connection,
        config,
        lambda,
        store,
        workflowBundle,
        tuning,
        activityInterceptors: [blockMetricsInterceptor(metrics), blockLogInterceptor(logger)],
        tracing,
      });
    },
  });
  const health = await startHealthServer({ port: healthPort, state: () => runner.state() });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log(`${signal}: no new work; finishing what is in flight`);
      runner.shutdown();
    });
  }
  log(
    `polling ${config.taskQueue} on ${describeTarget(runner.settings)}; health ${health.url}/healthz` +
      (metricsAddress ? `, metrics http://${metricsAddress}/metrics` : ''),
  );
  // The workflows directory is the bootstrap: content not yet published becomes the released version.
  const versions = versionStoreOf(store);
  try {
    log(bootstrapLine(await bootstrapVersions(versions, workflowsDir)));
  } catch (error) {
    log(`workflows: not bootstrapped: ${errorMessage(error)}`);
  }
  // Schedules follow the released versions: reconciled whenever a worker starts, and on every release.
  await reconcileSchedulesAtStart({ client, store, taskQueue: config.taskQueue, registry: versionRegistry(versions) }, log);
  try {
    await runner.run();
  } finally {
    await health.close();
    await client.connection.close();
    await tracing.shutdown();
  }
  log('stopped');
}

main().catch((error: unknown) => {
  logger.fatal(errorMessage(error));
  process.exit(1);
});
