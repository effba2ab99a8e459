/** The code-executor: everything that is user JavaScript, in isolated-vm. */
import { defineExecutor } from '../executor/index.ts';
import { runCodeStep } from './run-step.ts';

export const codeExecutor = defineExecutor({ name: 'code-executor', setup: () => undefined, run: runCodeStep });
