export * from './protocol.ts';
export { ENVELOPE_AAD, REPLY_AAD, open as openSealed, seal } from './envelope.ts';
export { createExecutorRuntime, executorRuntime, DEFAULT_MAX_RESULT_BYTES, type ExecutorRuntime } from './runtime.ts';
export { createExecutorHandler, type BlockRunner } from './serve.ts';
export { loadScope, type BlockView } from './scope.ts';
export { StepFailure, completeStep, evaluate, resolveStep, stepMentions, type ResolvedStep, type StepOutcome } from './step.ts';
export { writeRunOutput } from './run-output.ts';
