/**
 * The embedded stack: a Temporal dev server (unless one is already up at the
 * address), the local Lambda endpoint serving the real executor handlers, and
 * the worker, in this process. `stop()` takes all of it down.
 */
import { Runtime, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { loadConfig, type BatonConfig, type Env } from '../shared/config/index.ts';
import { clientOver, connectClient, describeTls, markSharesWorkerConnection, temporalSettings, whenNamespaceKnown } from '../shared/temporal/index.ts';
import { TemporalConnectError } from '../shared/errors/index.ts';
import { connectWorker } from '../worker/connect.ts';
import { createLambdaClient } from '../shared/lambda/client.ts';
import { openResultStore, type ResultStore } from '../shared/store/index.ts';
import { createBatonWorker } from '../worker/index.ts';
import { sdkLoggerFor } from '../worker/sdk-logger.ts';
import { processLogger } from '../shared/log/index.ts';
import { startTracing } from '../shared/tracing/index.ts';
import type { CompiledDefinition, Registry } from '../shared/definition/index.ts';
import { startRun, type TriggerData } from '../shared/runs/index.ts';
import { startCodecServerForWebUi, type LocalCodecServer } from './codec-server.ts';
import { startDevServer, type DevServer } from './dev-server.ts';
import { localExecutors } from './executors.ts';
import { isListening } from './free-port.ts';
import { describeServer, identifyServer, stopOrphan } from './foreign-server.ts';
import { startLambdaEndpoint, type LambdaEndpoint } from './lambda-endpoint.ts';
import { ensureStageNamespace } from './namespace.ts';
import { ensureSearchAttribute } from '../shared/runs/index.ts';

export interface StackOptions {
  readonly env: Env;
  /** Keep the dev server's state in this SQLite file. */
  readonly dbFile?: string;
  /** The dev server's state file (.baton/temporal-dev.json): who started the server at the address. */
  readonly devServerStateFile?: string;
  readonly ui?: boolean;
  readonly lambdaPort?: number;
  /** Start a worker in this process; 'auto': only when none polls the task queue yet (a `baton dev` is up). */
  readonly worker?: boolean | 'auto';
  readonly workflowBundle?: WorkflowBundleOption;
  readonly log?: (line: string) => void;
}

export interface EmbeddedStack {
  readonly config: BatonConfig;
  readonly env: Env;
  readonly client: Client;
  readonly store: ResultStore;
  readonly devServer: DevServer | undefined;
  /** Serves the dev server's Web UI decoded payloads; up when this stack started the dev server with its UI. */
  readonly codecServer: LocalCodecServer | undefined;
  readonly lambdaEndpoint: LambdaEndpoint;
  readonly worker: Worker | undefined;
  /** Starts a run of a compiled definition on this stack's task queue. */
  start(compiled: CompiledDefinition, trigger: TriggerData, registry?: Registry): ReturnType<typeof startRun>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // The in-process worker logs as the container's does: ids and codes, never user data.
    // The command owns the signals (cli/shutdown.ts): the Runtime's own
    // handlers would swallow SIGTERM in a process that has no worker to stop.
    // Core's own log lines are not forwarded here: that keeps a finished
    // `baton run` process alive (the worker process forwards them).
    Runtime.install({ logger: sdkLoggerFor(processLogger('baton')), shutdownSignals: [] });
  } catch {
    // already installed by the host (a test, say): keep theirs
  }
}

export async function startEmbeddedStack(options: StackOptions): Promise<EmbeddedStack> {
  const log = options.log ?? (() => {});
  quietTemporalRuntime();
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error: unknown) => log(`stopping: ${String(error)}`));
    stops.length = 0;
  };
  try {
    let env = { ...options.env };
    const base = loadConfig(env);
    const [host, portText] = splitAddress(base.temporal.address);
    let devServer: DevServer | undefined;
    let codecServer: LocalCodecServer | undefined;
    let listening = await isListening(host, Number(portText));
    if (listening) {
      const found = identifyServer(base.temporal.address, options.devServerStateFile);
      log(describeServer(base.temporal.address, found));
      if (found.kind === 'orphan') {
        await stopOrphan(found.state.pid);
        listening = false;
      }
    }
    if (listening) {
      await ensureStageNamespace(env, base);
    } else {
      const settings = temporalSettings(env, base);
      if (!isLoopback(host) || settings.mode !== 'plain') {
        // The embedded dev server listens on loopback, without TLS: anything else names a cluster that is not there.
        throw new TemporalConnectError(settings.address, describeTls(settings), 'nothing accepts connections there');
      }
      // The CLI's own convention: the UI on the gRPC port + 1000 (8233 for 7233).
      const uiPort = Number(portText) + 1000;
      let uiCodecEndpoint: string | undefined;
      if (options.ui) {
        const codec = await startCodecServerForWebUi(env, host, uiPort);
        codecServer = codec.server;
        uiCodecEndpoint = codec.uiEndpoint;
        stops.push(() => codec.server.close());
      }
      devServer = await startDevServer({
        ip: host,
        port: Number(portText),
        ui: options.ui ?? false,
        uiPort,
        ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
        ...(options.dbFile ? { dbFile: options.dbFile } : {}),
        namespaces: [base.temporal.namespace],
        ...(options.devServerStateFile ? { stateFile: options.devServerStateFile } : {}),
        log,
      });
      stops.push(() => devServer!.stop());
    }

    const executors = localExecutors(base.functions, env);
    stops.push(async () => executors.close());
    const lambdaEndpoint = await startLambdaEndpoint({
      functions: executors.functions,
      ...(options.lambdaPort !== undefined ? { port: options.lambdaPort } : {}),
      log,
    });
    stops.push(() => lambdaEndpoint.close());
    env = { ...env, BATON_LAMBDA_ENDPOINT: lambdaEndpoint.url };
    const config = loadConfig(env);
    const store = openResultStore(config.resultsUrl, config.keyRing, env);
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, the stack traces as the deployed parts do (before the client connects).
    const tracing = startTracing('baton', env);
    const setupClient = await connectClient(env, config);
    let client = setupClient;
    let setupClosed = false;
    const closeSetup = async () => {
      if (setupClosed) return;
      setupClosed = true;
      await setupClient.connection.close();
    };
    stops.push(closeSetup);
    // A namespace registered just above may not be known to the operator service for a moment.
    await whenNamespaceKnown(() => ensureSearchAttribute(setupClient, config.temporal.namespace));

    let worker: Worker | undefined;
    const wantWorker =
      options.worker === 'auto' ? !(devServer === undefined && (await hasPollers(setupClient, config))) : options.worker !== false;
    if (wantWorker) {
      const connection = await connectWorker(env, config);
      const w = await createBatonWorker({
        connection,
        config,
        lambda: createLambdaClient({ endpoint: lambdaEndpoint.url }),
        store,
        tracing,
        ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
      });
      const running = w.run();
      stops.push(async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running;
        await connection.close();
      });
      worker = w;
      // Runs started here go over the worker's own connection, so the server can hand each its
      // first workflow task in the start's reply (eager start) instead of through matching.
      client = clientOver(connection, config);
      markSharesWorkerConnection(client);
      // Nothing uses the setup client's own channel any more.
      await closeSetup();
    }
    const start = (compiled: CompiledDefinition, trigger: TriggerData, registry?: Registry) =>
      startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger, ...(registry ? { registry } : {}) });
    return { config, env, client, store, devServer, codecServer, lambdaEndpoint, worker, start, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function hasPollers(client: Client, config: BatonConfig): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: config.temporal.namespace,
    taskQueue: { name: config.taskQueue },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers?.length ?? 0) > 0;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function splitAddress(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), address.slice(colon + 1)];
}
