/** Lambda entry point of the code-executor: runs code blocks in isolated-vm. */
import { createExecutorHandler, executorRuntime } from '../../shared/executor/index.ts';
import { runCodeBlock } from './run-code-block.ts';

export const handler = createExecutorHandler(runCodeBlock, executorRuntime);
