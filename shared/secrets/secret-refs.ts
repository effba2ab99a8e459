/**
 * Secrets by reference, for Lambda: a function's environment names where a
 * secret lives instead of holding it, and the value is fetched once at cold
 * start, before the settings are parsed.
 *
 *   ENCRYPTION_KEY_SSM_PARAMETER=/baton/prod/encryption-key       (SSM, SecureString decrypted)
 *   BATON_API_KEYS_SECRET_ARN=arn:aws:secretsmanager:...:secret:baton/prod/api-keys-AbC123
 *
 * gives ENCRYPTION_KEY and BATON_API_KEYS, in a new env object: nothing is
 * written to process.env. The value never appears in the function's
 * configuration or the CloudFormation template. (The ECS worker gets its
 * secrets injected by ECS itself, but the same references work there.)
 */
import { ConfigError, errorMessage } from '../errors/index.ts';
import type { Env } from '../config/config.ts';
import { AwsSecretReader, isSecretNotFound } from './aws-secret-reader.ts';

export const SSM_SUFFIX = '_SSM_PARAMETER';
export const SECRET_SUFFIX = '_SECRET_ARN';

interface SecretRef {
  /** The variable that names the secret, for messages. */
  readonly from: string;
  /** The variable the value goes into. */
  readonly target: string;
  readonly id: string;
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

async function fromSsm(reader: AwsSecretReader, refs: SecretRef[]): Promise<Record<string, string>> {
  let found: Map<string, string>;
  try {
    found = await reader.parameters(refs.map((ref) => ref.id));
  } catch (error) {
    throw new ConfigError(refs[0]!.from, `cannot read SSM parameters: ${errorMessage(error)}`);
  }
  const values: Record<string, string> = {};
  for (const ref of refs) {
    const value = found.get(ref.id);
    if (value === undefined) throw new ConfigError(ref.from, `SSM parameter "${ref.id}" not found (or not readable by this role)`);
    values[ref.target] = value;
  }
  return values;
}

async function fromSecretsManager(reader: AwsSecretReader, refs: SecretRef[]): Promise<Record<string, string>> {
  const entries = await Promise.all(
    refs.map(async (ref) => {
      let value: string | undefined;
      try {
        value = await reader.secret(ref.id);
      } catch (error) {
        const why = isSecretNotFound(error) ? 'not found (or not readable by this role)' : errorMessage(error);
        throw new ConfigError(ref.from, `cannot read secret "${ref.id}": ${why}`);
      }
      if (value === undefined) throw new ConfigError(ref.from, `secret "${ref.id}" has no string value`);
      return [ref.target, value] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The values the references in `env` point at, by the variable they belong in. */
export async function resolveSecretRefs(env: Env, reader: AwsSecretReader = new AwsSecretReader()): Promise<Record<string, string>> {
  const ssmRefs = refsOf(env, SSM_SUFFIX);
  const secretRefs = refsOf(env, SECRET_SUFFIX);
  const [ssm, secrets] = await Promise.all([
    ssmRefs.length > 0 ? fromSsm(reader, ssmRefs) : {},
    secretRefs.length > 0 ? fromSecretsManager(reader, secretRefs) : {},
  ]);
  return { ...ssm, ...secrets };
}

/**
 * `env` with the values its references point at, as a new object (nothing
 * is written to `env`): what a process reads its settings from at start.
 */
export async function withSecretRefs(env: Env): Promise<Env> {
  return { ...env, ...(await resolveSecretRefs(env)) };
}
