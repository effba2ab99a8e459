/**
 * The executors the local Lambda endpoint serves, under the names Serverless
 * gives them in AWS: the same handlers as the Lambda entry points, each over
 * a runtime of its own built from the stack's env (as two Lambda functions
 * each have their own containers), never from this process's env.
 */
import { codeExecutor } from '../functions/code-executor/executor.ts';
import { dbConnector } from '../functions/db-connector/executor.ts';
import type { Env, FunctionNames } from '../shared/config/index.ts';
import type { LambdaHandler } from './lambda-endpoint.ts';

export interface LocalExecutors {
  readonly functions: Readonly<Record<string, LambdaHandler>>;
  /** Disposes of their sandboxes. */
  close(): void;
}

export function localExecutors(names: FunctionNames, env: Env): LocalExecutors {
  const code = codeExecutor.bind(env);
  const db = dbConnector.bind(env);
  return {
    functions: { [names.codeExecutor]: code.handler, [names.dbConnector]: db.handler },
    close() {
      code.runtime.sandbox.dispose();
      code.runtime.python.dispose();
      db.runtime.sandbox.dispose();
      db.runtime.python.dispose();
    },
  };
}
