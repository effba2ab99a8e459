/** The executor framework: what both Lambda executors share (only they use it, and only they reach the sandbox). */
export { defineExecutor, type Executor, type ExecutorHandler, type ExecutorSpec, type StepContext } from './define-executor.ts';
export { createExecutorRuntime, type ExecutorRuntime } from './runtime.ts';
export type { BlockView } from './scope.ts';
export type { ResolvedStep, StepOutcome } from './step.ts';
