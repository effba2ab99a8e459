export { activeTraceparent, otlpHeaders, contextFromTraceparent, startTracing, tracer, tracesUrlFromEnv, tracingEnabled, tracingSettings, type Tracing } from './tracing.ts';
