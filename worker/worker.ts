/**
 * Builds the Baton worker: the batonRun workflow and the block activities on
 * one task queue, with the shared encrypted data converter.
 */
import { fileURLToPath } from 'node:url';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Worker,
  type ActivityInterceptorsFactory,
  type NativeConnection,
  type WorkflowBundleOption,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { Context } from '@temporalio/activity';
import { dataConverterFor, workerDataConverterFor, FAILURE_CONVERTER_PATH } from '../shared/codec/index.ts';
import type { BatonConfig } from '../shared/config/index.ts';
import type { ResultStore } from '../shared/store/index.ts';
import { createActivities } from './activities/index.ts';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from '../shared/tracing/index.ts';
import type { WorkerTuning } from './tuning.ts';

/** Block activities a workflow task may take back eagerly (each holds an activity slot until it runs). */
export const EAGER_ACTIVITIES_PER_WORKFLOW_TASK = 20;

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
/** The sandbox's tracing interceptors: always in the bundle, active only for runs started with a trace context. */
export const WORKFLOW_TRACING_PATH = fileURLToPath(new URL('./workflow-tracing.ts', import.meta.url));

/** Bundles the workflow code once; tests and benchmarks reuse the bundle across workers. */
export async function bundleBatonWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [WORKFLOW_TRACING_PATH],
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
}

export interface BatonWorkerOptions {
  readonly connection: NativeConnection;
  readonly config: BatonConfig;
  readonly lambda: LambdaClient;
  readonly store: ResultStore;
  readonly workflowBundle?: WorkflowBundleOption;
  /** Concurrency, cache, pollers, shutdown grace (worker/tuning.ts); the SDK's defaults otherwise. */
  readonly tuning?: WorkerTuning;
  readonly activityInterceptors?: ActivityInterceptorsFactory[];
  /** The process's tracing (shared/tracing): where the sandbox's spans go; dropped when absent or off. */
  readonly tracing?: Tracing;
}

/** Where the sandbox's spans go when this worker does not trace (a traced client started the run). */
const DROP_SPANS: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };

export async function createBatonWorker(options: BatonWorkerOptions): Promise<Worker> {
  const { config } = options;
  const bundle = options.workflowBundle ?? (await bundleBatonWorkflows());
  return Worker.create({
    ...options.tuning,
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: bundle,
    // A fan-out or a loop schedules many blocks in one workflow task; the SDK's default of 3 eager
    // reservations sent the rest through the server's matching (with eager execution enabled there).
    maxEagerActivityReservationsPerWorkflowTask: EAGER_ACTIVITIES_PER_WORKFLOW_TASK,
    dataConverter: workerDataConverterFor(config.keyRing, {
      // A run this worker cannot decode would otherwise retry its workflow task forever.
      endUndecodableRun: async ({ namespace, workflowId }, reason) => {
        await options.connection.workflowService.terminateWorkflowExecution({ namespace, workflowExecution: { workflowId }, reason, identity: 'baton-worker' });
      },
    }),
    activities: createActivities({
      lambda: options.lambda,
      keyRing: config.keyRing,
      functions: config.functions,
      store: options.store,
      // The gates' activities signal and describe workflows over the worker's own connection.
      temporal: {
        client: new Client({ connection: options.connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config.keyRing) }),
        taskQueue: config.taskQueue,
      },
    }),
    // The trace context comes in the activity's header. Only a tracing worker reads it: without a tracer
    // provider the span is a no-op that still cost about a millisecond per step under the profiler.
    interceptors: {
      activity: [
        ...(options.tracing?.enabled ? [(ctx: Context) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })] : []),
        ...(options.activityInterceptors ?? []),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(options.tracing?.exporter ?? DROP_SPANS, options.tracing?.resource ?? new Resource({})) },
  });
}
