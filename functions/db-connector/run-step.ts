/**
 * The db-connector's steps: query and http blocks (and loop bodies of those
 * types). Their templates are evaluated in the sandbox, then the values go to
 * the driver as bound parameters or to fetch; never spliced into SQL.
 */
import { templateFunction } from '../../shared/definition/templates.ts';
import { templatedFields } from '../../shared/definition/steps.ts';
import { parseResources, type Resources } from '../../shared/config/resources.ts';
import { BlockFailure } from '../../shared/errors/index.ts';
import type { ExecutorRuntime, StepContext, StepOutcome } from '../executor/index.ts';
import { runQuery } from './query.ts';
import { runHttp } from './http.ts';
import { Secrets } from './secrets.ts';

/** What the db-connector holds per container besides the runtime. */
export interface DbConnectorSetup {
  readonly secrets: Secrets;
  readonly resources: Resources;
}

/** BATON_RESOURCES and the secrets source, read once per container from the runtime's env. */
export function setupDbConnector(runtime: ExecutorRuntime): DbConnectorSetup {
  const secrets = new Secrets({ env: runtime.env });
  // Secrets read from SSM or Secrets Manager are masked in the sandbox's logs and errors too.
  secrets.shareWith(runtime.sandbox.secrets);
  return { secrets, resources: parseResources(runtime.env) };
}

export async function runDbStep(context: StepContext, { secrets, resources }: DbConnectorSetup): Promise<StepOutcome> {
  const { step } = context.resolved;
  const { envelope, timeoutMs, runtime } = context;
  if (step.type !== 'query' && step.type !== 'http') {
    throw new BlockFailure('DefinitionError', `the db-connector does not run ${step.type} steps`, false);
  }
  const resource = resources[step.resource];
  if (!resource) throw new BlockFailure('ResourceError', `unknown resource "${step.resource}" (not in BATON_RESOURCES)`, false);
  const values = (await context.evaluate(templateFunction(templatedFields(step)), await context.scope())) as Record<string, unknown>;
  const common = { resourceName: step.resource, blockId: envelope.blockId, timeoutMs, maxBytes: runtime.maxResultBytes, secrets };
  if (step.type === 'query') {
    const params = (values.params as unknown[] | undefined) ?? [];
    return { data: await runQuery(resource, { ...common, sql: step.sql, params, transaction: step.transaction }) };
  }
  const data = await runHttp(resource, {
    ...common,
    method: step.method,
    path: String(values.path ?? '/'),
    query: values.query as Record<string, unknown> | undefined,
    headers: values.headers as Record<string, unknown> | undefined,
    body: values.body,
  });
  return { data };
}
