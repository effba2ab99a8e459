/**
 * The one reader of secrets in AWS: SSM Parameter Store (SecureString,
 * decrypted) and Secrets Manager. Clients are made on first use and kept
 * (a warm Lambda container reuses them). Callers say what a missing value
 * or a failed call means for them; values are never logged here.
 */
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretClients {
  /** Made on first use; tests point them at a local endpoint. */
  readonly ssm?: () => SSMClient;
  readonly secretsManager?: () => SecretsManagerClient;
}

/** AWS's names for "there is no such parameter or secret". */
const NOT_FOUND = new Set(['ParameterNotFound', 'ResourceNotFoundException']);

export function isSecretNotFound(error: unknown): boolean {
  return error instanceof Error && NOT_FOUND.has(error.name);
}

export class AwsSecretReader {
  private ssmClient: SSMClient | undefined;
  private secretsManagerClient: SecretsManagerClient | undefined;

  constructor(private readonly clients: SecretClients = {}) {}

  private get ssm(): SSMClient {
    this.ssmClient ??= this.clients.ssm?.() ?? new SSMClient({});
    return this.ssmClient;
  }

  private get secretsManager(): SecretsManagerClient {
    this.secretsManagerClient ??= this.clients.secretsManager?.() ?? new SecretsManagerClient({});
    return this.secretsManagerClient;
  }

  /** One SSM parameter, decrypted; undefined when it has no value. Throws AWS's error (isSecretNotFound tells a missing one). */
  async parameter(name: string): Promise<string | undefined> {
    const reply = await this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return reply.Parameter?.Value;
  }

  /** Several SSM parameters, decrypted, by name or ARN, in calls of at most ten (GetParameters' limit); absent ones are missing from the map. */
  async parameters(names: readonly string[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    const unique = [...new Set(names)];
    for (let i = 0; i < unique.length; i += 10) {
      const reply = await this.ssm.send(new GetParametersCommand({ Names: unique.slice(i, i + 10), WithDecryption: true }));
      for (const parameter of reply.Parameters ?? []) {
        if (parameter.Value === undefined) continue;
        if (parameter.Name) values.set(parameter.Name, parameter.Value);
        if (parameter.ARN) values.set(parameter.ARN, parameter.Value);
      }
    }
    return values;
  }

  /** A Secrets Manager secret's string (or its binary as UTF-8); undefined when it has neither. Throws AWS's error. */
  async secret(id: string): Promise<string | undefined> {
    const reply = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: id }));
    if (reply.SecretString !== undefined) return reply.SecretString;
    if (reply.SecretBinary !== undefined) return Buffer.from(reply.SecretBinary).toString('utf8');
    return undefined;
  }
}
