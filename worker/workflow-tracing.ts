/**
 * The workflow sandbox's tracing interceptors, bundled into the workflow
 * code (worker/worker.ts: workflowInterceptorModules; with a prebuilt bundle
 * they are in the bundle or nowhere, which is why they are always bundled).
 *
 * A run is traced only when its start carries a trace context (the
 * `_tracer-data` header the client interceptor adds when its process
 * traces); a concurrency gate never is. Otherwise every call passes straight through: no span, no header
 * on its activities, so the commands and histories of untraced runs are
 * exactly what they were without this module (the recorded histories replay
 * unchanged, and nothing new reaches Temporal).
 */
import type {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import {
  workflowInfo,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { BATON_GATE } from '../shared/contract/index.ts';

interface OtelWorkflowModule {
  readonly OpenTelemetryInboundInterceptor: new () => OpenTelemetryInboundInterceptor;
  readonly OpenTelemetryOutboundInterceptor: new () => OpenTelemetryOutboundInterceptor;
  readonly OpenTelemetryInternalsInterceptor: new () => OpenTelemetryInternalsInterceptor;
}

/**
 * The OpenTelemetry interceptors' module, loaded only by a traced run. The
 * sandbox evaluates a workflow's modules afresh for every workflow it
 * starts, and this one (OpenTelemetry's API and SDK), imported at the top,
 * cost every run about 3.5 ms of the workflow thread under the profiler,
 * traced or not.
 * A require() the bundler resolves at build time keeps it in the bundle.
 */
function loadOtel(): OtelWorkflowModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- webpack bundles it; evaluated on first call only
  return require('@temporalio/interceptors-opentelemetry/lib/workflow/index.js') as OtelWorkflowModule;
}

/** The header the client interceptor writes the trace context into. */
const TRACE_HEADER = '_tracer-data';

export const interceptors = (): WorkflowInterceptors => {
  let traced = false;
  let otel: { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor; internals: OpenTelemetryInternalsInterceptor } | undefined;
  // Made only for a traced workflow: constructing them sets up a tracer provider in the sandbox.
  const make = () => {
    if (otel) return otel;
    const { OpenTelemetryInboundInterceptor, OpenTelemetryOutboundInterceptor, OpenTelemetryInternalsInterceptor } = loadOtel();
    return (otel = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor(), internals: new OpenTelemetryInternalsInterceptor() });
  };

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      // A gate outlives the run whose start began it: its span would hang in that run's trace for hours.
      traced = Object.hasOwn(input.headers, TRACE_HEADER) && workflowInfo().workflowType !== BATON_GATE;
      return traced ? make().inbound.execute(input, next) : next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? make().outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (traced ? make().outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) => (traced ? make().outbound.startChildWorkflowExecution(input, next) : next(input)),
    signalWorkflow: (input, next) => (traced ? make().outbound.signalWorkflow(input, next) : next(input)),
    continueAsNew: (input, next) => (traced ? make().outbound.continueAsNew(input, next) : next(input)),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => {
      if (traced && otel) void otel.internals.dispose(input, next);
      else next(input);
    },
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
