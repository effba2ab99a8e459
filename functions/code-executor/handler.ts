/** Lambda entry point of the code-executor: runs code blocks in isolated-vm. */
import { createExecutorHandler, executorRuntime } from '../../shared/executor/index.ts';
import { runStep } from './run-step.ts';

export const handler = createExecutorHandler(runStep, executorRuntime);
