/**
 * The db-connector's steps: query and http blocks (and loop bodies of those
 * types). Their templates are evaluated in the sandbox, then the values go to
 * the driver as bound parameters or to fetch; never spliced into SQL.
 */
import type { LogLine } from '../../shared/sandbox/index.ts';
import { templateFunction } from '../../shared/definition/templates.ts';
import { templatedFields } from '../../shared/definition/steps.ts';
import { DEFAULT_TIMEOUT_MS } from '../../shared/definition/schema.ts';
import { parseResources, type Resources } from '../../shared/config/resources.ts';
import { ConfigError } from '../../shared/errors.ts';
import {
  StepFailure,
  completeStep,
  evaluate,
  loadScope,
  resolveStep,
  stepMentions,
  type BlockEnvelope,
  type BlockReply,
  type ExecutorRuntime,
} from '../../shared/executor/index.ts';
import { runQuery } from './query.ts';
import { runHttp } from './http.ts';
import { containerSecrets } from './secrets.ts';

let resources: { setting: string | undefined; parsed: Resources } | undefined;

function resource(name: string) {
  // Parsed once per setting: the local stack may change BATON_RESOURCES in this process between stacks.
  const setting = process.env.BATON_RESOURCES;
  if (!resources || resources.setting !== setting) {
    try {
      resources = { setting, parsed: parseResources(process.env) };
    } catch (error) {
      // A bad setting fails the block at once, naming it, rather than the function again and again.
      if (error instanceof ConfigError) throw new StepFailure('ConfigError', error.message, false);
      throw error;
    }
  }
  const found = resources.parsed[name];
  if (!found) throw new StepFailure('ResourceError', `unknown resource "${name}" (not in BATON_RESOURCES)`, false);
  return found;
}

export async function runStep(envelope: BlockEnvelope, runtime: ExecutorRuntime): Promise<BlockReply> {
  const resolved = await resolveStep(envelope, runtime);
  const { step } = resolved;
  const logs: LogLine[] = [];
  return completeStep(runtime, resolved, logs, async () => {
    if (step.type !== 'query' && step.type !== 'http') {
      throw new StepFailure('DefinitionError', `the db-connector does not run ${step.type} steps`, false);
    }
    const timeoutMs = step.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Secrets read from SSM or Secrets Manager are masked in the sandbox's logs and errors too.
    containerSecrets().shareWith(runtime.sandbox.secrets);
    const scope = await loadScope(envelope, stepMentions(envelope, resolved), runtime);
    const values = (await evaluate(runtime.sandbox, templateFunction(templatedFields(step)), scope, timeoutMs, runtime, logs)) as Record<string, unknown>;
    if (step.type === 'query') {
      const params = (values.params as unknown[] | undefined) ?? [];
      const data = await runQuery(resource(step.resource), {
        resourceName: step.resource,
        blockId: envelope.blockId,
        sql: step.sql,
        params,
        transaction: step.transaction,
        timeoutMs,
        maxBytes: runtime.maxResultBytes,
      });
      return { data };
    }
    const data = await runHttp(resource(step.resource), {
      resourceName: step.resource,
      blockId: envelope.blockId,
      method: step.method,
      path: String(values.path ?? '/'),
      query: values.query as Record<string, unknown> | undefined,
      headers: values.headers as Record<string, unknown> | undefined,
      body: values.body,
      timeoutMs,
      maxBytes: runtime.maxResultBytes,
    });
    return { data };
  });
}
