/** The db-connector: query and http blocks against the stage's resources. */
import { defineExecutor } from '../executor/index.ts';
import { runDbStep, setupDbConnector } from './run-step.ts';

export const dbConnector = defineExecutor({ name: 'db-connector', setup: setupDbConnector, run: runDbStep });
