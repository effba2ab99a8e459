/** The executor handlers the local Lambda endpoint serves, under the names Serverless gives them in AWS. */
import { handler as codeExecutor } from '../functions/code-executor/handler.ts';
import { handler as dbConnector } from '../functions/db-connector/handler.ts';
import type { FunctionNames } from '../shared/config/index.ts';
import type { LambdaHandler } from './lambda-endpoint.ts';

export function executorFunctions(names: FunctionNames): Record<string, LambdaHandler> {
  return { [names.codeExecutor]: codeExecutor, [names.dbConnector]: dbConnector };
}
