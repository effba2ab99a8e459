/**
 * Secrets by reference, for Lambda: a function's environment names where a
 * secret lives instead of holding it, and the value is fetched once at cold
 * start, before the settings are parsed.
 *
 *   ENCRYPTION_KEY_SSM_PARAMETER=/baton/prod/encryption-key       (SSM, SecureString decrypted)
 *   BATON_API_KEYS_SECRET_ARN=arn:aws:secretsmanager:...:secret:baton/prod/api-keys-AbC123
 *
 * sets ENCRYPTION_KEY and BATON_API_KEYS. The value never appears in the
 * function's configuration or the CloudFormation template. (The ECS worker
 * gets its secrets injected by ECS itself, but the same references work there.)
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, errorMessage } from '../errors/index.ts';
import type { Env } from './config.ts';

export const SSM_SUFFIX = '_SSM_PARAMETER';
export const SECRET_SUFFIX = '_SECRET_ARN';

interface SecretRef {
  /** The variable that names the secret, for messages. */
  readonly from: string;
  /** The variable the value goes into. */
  readonly target: string;
  readonly id: string;
}

export interface SecretClients {
  readonly ssm?: SSMClient;
  readonly secretsManager?: SecretsManagerClient;
}

function refsOf(env: Env, suffix: string): SecretRef[] {
  return Object.entries(env).flatMap(([from, value]) => {
    const id = value?.trim();
    if (!from.endsWith(suffix) || from.length === suffix.length || !id) return [];
    const target = from.slice(0, -suffix.length);
    if (env[target]?.trim()) {
      throw new ConfigError(from, `${target} is set too; set the value or the reference, not both`);
    }
    return [{ from, target, id }];
  });
}

async function fromSsm(client: SSMClient, refs: SecretRef[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  // GetParameters takes at most 10 names per call.
  for (let i = 0; i < refs.length; i += 10) {
    const batch = refs.slice(i, i + 10);
    let response;
    try {
      response = await client.send(new GetParametersCommand({ Names: [...new Set(batch.map((ref) => ref.id))], WithDecryption: true }));
    } catch (error) {
      throw new ConfigError(batch[0]!.from, `cannot read SSM parameters: ${errorMessage(error)}`);
    }
    for (const ref of batch) {
      const found = response.Parameters?.find((parameter) => parameter.Name === ref.id || parameter.ARN === ref.id);
      if (found?.Value === undefined) throw new ConfigError(ref.from, `SSM parameter "${ref.id}" not found (or not readable by this role)`);
      values[ref.target] = found.Value;
    }
  }
  return values;
}

async function fromSecretsManager(client: SecretsManagerClient, refs: SecretRef[]): Promise<Record<string, string>> {
  const entries = await Promise.all(
    refs.map(async (ref) => {
      let response;
      try {
        response = await client.send(new GetSecretValueCommand({ SecretId: ref.id }));
      } catch (error) {
        throw new ConfigError(ref.from, `cannot read secret "${ref.id}": ${errorMessage(error)}`);
      }
      if (response.SecretString === undefined) throw new ConfigError(ref.from, `secret "${ref.id}" has no string value`);
      return [ref.target, response.SecretString] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The values the references in `env` point at, by the variable they belong in. */
export async function resolveSecretRefs(env: Env, clients: SecretClients = {}): Promise<Record<string, string>> {
  const ssmRefs = refsOf(env, SSM_SUFFIX);
  const secretRefs = refsOf(env, SECRET_SUFFIX);
  const [ssm, secrets] = await Promise.all([
    ssmRefs.length > 0 ? fromSsm(clients.ssm ?? new SSMClient({}), ssmRefs) : {},
    secretRefs.length > 0 ? fromSecretsManager(clients.secretsManager ?? new SecretsManagerClient({}), secretRefs) : {},
  ]);
  return { ...ssm, ...secrets };
}

let loaded: Promise<void> | undefined;

/**
 * Resolves the references in process.env into it, once per process (a Lambda
 * container's cold start); a failure is not cached, so the next invocation tries again.
 */
export function loadSecretRefs(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  loaded ??= resolveSecretRefs(env).then((values) => {
    Object.assign(env, values);
  });
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/**
 * `env` with the values its references point at, as a new object (nothing
 * is written to `env`): what a process reads its settings from at start.
 */
export async function withSecretRefs(env: Env): Promise<Env> {
  return { ...env, ...(await resolveSecretRefs(env)) };
}
