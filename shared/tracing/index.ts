export { activeTraceparent, contextFromTraceparent, startTracing, tracer, tracesUrlFromEnv, tracingEnabled, tracingSettings, type Tracing } from './tracing.ts';
