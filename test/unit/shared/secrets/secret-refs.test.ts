/** Against the run's moto server (SSM and Secrets Manager as AWS has them). */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../../../shared/codec/index.ts';
import { resolveSecretRefs, withSecretRefs } from '../../../../shared/secrets/secret-refs.ts';
import { AwsSecretReader } from '../../../../shared/secrets/aws-secret-reader.ts';
import { ConfigError } from '../../../../shared/errors/index.ts';
import { useMotoInProcessEnv } from '../../../support/aws-env.ts';

const suffix = Math.random().toString(36).slice(2, 8);
const key = generateKey();
let clients: { ssm: SSMClient; secretsManager: SecretsManagerClient };
let reader: AwsSecretReader;
let secretArn: string;

beforeAll(async () => {
  useMotoInProcessEnv();
  clients = { ssm: new SSMClient({}), secretsManager: new SecretsManagerClient({}) };
  await clients.ssm.send(new PutParameterCommand({ Name: `/baton/${suffix}/encryption-key`, Type: 'SecureString', Value: key }));
  await clients.ssm.send(new PutParameterCommand({ Name: `/baton/${suffix}/plain`, Type: 'String', Value: 'not secret' }));
  const created = await clients.secretsManager.send(new CreateSecretCommand({ Name: `baton/${suffix}/api-keys`, SecretString: 'k1,k2' }));
  secretArn = created.ARN!;
  reader = new AwsSecretReader({ ssm: () => clients.ssm, secretsManager: () => clients.secretsManager });
});

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveSecretRefs', () => {
  it('reads SecureString parameters (decrypted) and Secrets Manager secrets into the variables they name', async () => {
    const values = await resolveSecretRefs(
      {
        ENCRYPTION_KEY_SSM_PARAMETER: `/baton/${suffix}/encryption-key`,
        NOTE_SSM_PARAMETER: `/baton/${suffix}/plain`,
        BATON_API_KEYS_SECRET_ARN: secretArn,
        UNRELATED: 'x',
      },
      reader,
    );
    expect(values).toEqual({ ENCRYPTION_KEY: key, NOTE: 'not secret', BATON_API_KEYS: 'k1,k2' });
  });

  it('does nothing, and calls nothing, without references', async () => {
    expect(await resolveSecretRefs({ ENCRYPTION_KEY: key })).toEqual({});
  });

  it('names the variable of a missing parameter or secret', async () => {
    const missing = await configError(resolveSecretRefs({ ENCRYPTION_KEY_SSM_PARAMETER: `/baton/${suffix}/nope` }, reader));
    expect(missing.setting).toBe('ENCRYPTION_KEY_SSM_PARAMETER');
    expect(missing.message).toMatch(/SSM parameter "\/baton\/.*\/nope" not found/);
    const secret = await configError(resolveSecretRefs({ BATON_API_KEYS_SECRET_ARN: `baton/${suffix}/nope` }, reader));
    expect(secret.setting).toBe('BATON_API_KEYS_SECRET_ARN');
    expect(secret.message).toMatch(/cannot read secret "baton\/.*\/nope"/);
  });

  it('refuses a value and a reference for the same variable', async () => {
    const both = await configError(resolveSecretRefs({ ENCRYPTION_KEY: key, ENCRYPTION_KEY_SSM_PARAMETER: '/x' }, reader));
    expect(both.message).toBe('ENCRYPTION_KEY_SSM_PARAMETER: ENCRYPTION_KEY is set too; set the value or the reference, not both');
  });
});

describe('withSecretRefs', () => {
  it('gives a new env with the values the references point at, and leaves the given env as it was', async () => {
    const env = { ENCRYPTION_KEY_SSM_PARAMETER: `/baton/${suffix}/encryption-key` };
    const resolved = await withSecretRefs(env);
    expect(resolved.ENCRYPTION_KEY).toBe(key);
    expect(resolved.ENCRYPTION_KEY_SSM_PARAMETER).toBe(env.ENCRYPTION_KEY_SSM_PARAMETER);
    expect(env).toEqual({ ENCRYPTION_KEY_SSM_PARAMETER: `/baton/${suffix}/encryption-key` });
  });
});
