/** Lambda entry point of the code-executor. */
import { codeExecutor } from './executor.ts';

export const handler = codeExecutor.handler;
