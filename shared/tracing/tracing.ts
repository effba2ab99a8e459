/**
 * OpenTelemetry traces for a process: spans exported by OTLP over HTTP to
 * the collector the standard settings name (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_EXPORTER_OTLP_HEADERS and the
 * rest are read by the exporter itself), and nothing at all when neither is
 * set, OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none. Started
 * once per process; the Temporal interceptors, the block activity and the
 * executors find the provider through the OpenTelemetry API's globals.
 * Spans carry ids, names, types, statuses and sizes, never user data.
 */
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { envHttpUrl, envOneOf, envText, parseEnv, type Env } from '../config/env-schema.ts';
import { z } from 'zod';

/** The OTEL_* settings Baton reads itself (each process adds these to its settings schema). */
export const tracingSettings = {
  OTEL_EXPORTER_OTLP_ENDPOINT: envHttpUrl(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envHttpUrl(),
  OTEL_SERVICE_NAME: envText(),
  OTEL_SDK_DISABLED: envOneOf(['true', 'false']),
  OTEL_TRACES_EXPORTER: envText(),
  /** `key=value,key=value` (a collector's token): read from this env, so a secret reference (…_SSM_PARAMETER) works too. */
  OTEL_EXPORTER_OTLP_HEADERS: envText(),
};

/** The W3C Baggage-style list OTEL_EXPORTER_OTLP_HEADERS holds, as headers. */
export function otlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, equals).trim())] = decodeURIComponent(pair.slice(equals + 1).trim());
  }
  return headers;
}

export interface Tracing {
  readonly enabled: boolean;
  /** What the workflow sandbox's spans are exported with (the worker's sink); undefined when tracing is off. */
  readonly exporter: SpanExporter | undefined;
  readonly resource: Resource;
  /** Sends what is buffered: a Lambda is frozen between invocations. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/** Where traces go, from the settings; undefined when tracing is off. */
export function tracesUrlFromEnv(env: Env): string | undefined {
  const settings = parseEnv(z.object(tracingSettings), env);
  if (settings.OTEL_SDK_DISABLED === 'true' || settings.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return settings.OTEL_EXPORTER_OTLP_ENDPOINT ? `${settings.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` : undefined;
}

/** Starts tracing for this process (once; later calls get the first one's). */
export function startTracing(serviceName: string, env: Env): Tracing {
  if (started) return started;
  const url = tracesUrlFromEnv(env);
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || serviceName });
  if (!url) {
    started = { enabled: false, exporter: undefined, resource, flush: async () => {}, shutdown: async () => {} };
    return started;
  }
  const exporter = new OTLPTraceExporter({ url, headers: otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS) });
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(new BatchSpanProcessor(exporter));
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable(), propagator: new W3CTraceContextPropagator() });
  started = {
    enabled: true,
    exporter: exportingAfter(exporter),
    resource,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return started;
}

/** Whether this process traces: the clients add the Temporal interceptors only then. */
export function tracingEnabled(): boolean {
  return started?.enabled ?? false;
}

/** The exporter for the workflow sandbox's spans, which arrive already ended through the worker's sink. */
function exportingAfter(exporter: SpanExporter): SpanExporter {
  return {
    export: (spans: ReadableSpan[], done) => exporter.export(spans, done),
    shutdown: () => Promise.resolve(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** The W3C traceparent of the active span, to carry across a boundary Temporal does not see (the executor envelope). */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a traceparent stands for, to continue a trace from it. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return context.active();
  return propagation.extract(context.active(), { traceparent });
}

export const tracer = (name: string) => trace.getTracer(name);
