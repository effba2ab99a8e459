/** The db-connector: query and http blocks against the stage's resources. */
import { envText } from '../../shared/config/index.ts';
import { defineExecutor } from '../executor/index.ts';
import { runDbStep, setupDbConnector } from './run-step.ts';
import { secretsSettingsShape } from './secrets.ts';

export const dbConnector = defineExecutor({
  name: 'db-connector',
  // BATON_RESOURCES is checked in full by parseResources when the connector is set up.
  settings: { ...secretsSettingsShape, BATON_RESOURCES: envText() },
  setup: setupDbConnector,
  run: runDbStep,
});
