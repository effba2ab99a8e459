/** Lambda entry point of the db-connector: query and http blocks against the stage's resources. */
import { createExecutorHandler, executorRuntime } from '../../shared/executor/index.ts';
import { runStep } from './run-step.ts';

export const handler = createExecutorHandler(runStep, executorRuntime);
