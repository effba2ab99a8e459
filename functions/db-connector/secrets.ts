/**
 * `{{ secret:NAME }}` in resource settings, resolved only here, in the
 * db-connector (README, Configuration). Where values come from is the stage's choice:
 *
 * - BATON_SECRETS_SOURCE=env (the default): BATON_SECRET_<NAME>;
 * - ssm: the SSM Parameter Store parameter <prefix><NAME> (decrypted),
 *   prefix BATON_SECRETS_PREFIX, default `/baton/<stage>/secrets/`;
 * - secretsmanager: the Secrets Manager secret <prefix><NAME>, default
 *   prefix `baton/<stage>/secrets/`.
 *
 * `{{ secret:NAME.field }}` takes one field of a JSON secret (RDS's
 * `{ username, password }`, say). Values from AWS are cached for
 * BATON_SECRETS_TTL_MS (default 5 minutes). Every value ever resolved is
 * remembered so `mask` can blank it out of error messages and results.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecretReader, isSecretNotFound } from '../../shared/secrets/aws-secret-reader.ts';
import { BlockFailure } from '../../shared/errors/index.ts';
import { z } from 'zod';
import { envOneOf, envText, envWholeNumber, parseEnv, parseStage, type Env } from '../../shared/config/index.ts';
import { SECRET_PLACEHOLDER } from '../../shared/config/resources.ts';
import { SecretMask } from '../../shared/secrets/secret-mask.ts';

export const SECRETS_SOURCES = ['env', 'ssm', 'secretsmanager'] as const;
export type SecretsSource = (typeof SECRETS_SOURCES)[number];
const DEFAULT_TTL_MS = 5 * 60_000;

export interface SecretsSettings {
  readonly source: SecretsSource;
  readonly prefix: string;
  readonly ttlMs: number;
}

/** Where secrets come from (BATON_SECRET_<NAME> themselves are read by name, as blocks mention them). */
export const secretsSettingsShape = {
  BATON_SECRETS_SOURCE: envOneOf(SECRETS_SOURCES),
  BATON_SECRETS_PREFIX: envText(),
  BATON_SECRETS_TTL_MS: envWholeNumber(0, 86_400_000, 'must be a whole number of milliseconds from 0 to 86400000'),
};

export function secretsSettings(env: Env): SecretsSettings {
  const settings = parseEnv(z.object(secretsSettingsShape), env);
  const source: SecretsSource = settings.BATON_SECRETS_SOURCE ?? 'env';
  const stage = parseStage(env);
  // The deployed db-connector may read these paths only (serverless.yml).
  const prefix = settings.BATON_SECRETS_PREFIX ?? (source === 'ssm' ? `/baton/${stage}/secrets/` : `baton/${stage}/secrets/`);
  return { source, prefix, ttlMs: settings.BATON_SECRETS_TTL_MS ?? DEFAULT_TTL_MS };
}

export interface SecretsOptions {
  readonly env: Env;
  /** Clients made on first use; tests point them at a local endpoint. */
  readonly ssm?: () => SSMClient;
  readonly secretsManager?: () => SecretsManagerClient;
  readonly now?: () => number;
}

type Encode = (value: string) => string;

/** Something else that masks secrets and must learn the values resolved here. */
export interface SecretSink {
  add(values: Iterable<string>): void;
}

export class Secrets {
  readonly settings: SecretsSettings;
  /** Every value resolved in this container, in every form it was used in. */
  private readonly known = new Set<string>();
  private readonly masked = new SecretMask();
  private readonly env: Env;
  private readonly cache = new Map<string, { value: string; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly sharedWith = new Set<SecretSink>();
  private readonly reader: AwsSecretReader;

  constructor(private readonly options: SecretsOptions) {
    this.env = options.env;
    this.reader = new AwsSecretReader({
      ...(options.ssm ? { ssm: options.ssm } : {}),
      ...(options.secretsManager ? { secretsManager: options.secretsManager } : {}),
    });
    this.settings = secretsSettings(this.env);
  }

  /** `text` with every placeholder replaced; `encode` applies to the values (percent-encoding in a URL). */
  async resolve(text: string, encode: Encode = (value) => value): Promise<string> {
    const matches = [...text.matchAll(SECRET_PLACEHOLDER)];
    if (matches.length === 0) return text;
    const values = await Promise.all(matches.map((match) => this.value(match[1]!, match[2])));
    let index = 0;
    return text.replace(SECRET_PLACEHOLDER, () => {
      const encoded = encode(values[index++]!);
      this.remember(encoded);
      return encoded;
    });
  }

  /** Drops cached values (not the mask), so the next use reads them afresh: after a rotated password failed, say. */
  forget(): void {
    this.cache.clear();
  }

  /** Tells `sink` every value resolved so far and from now on (the sandbox's mask for block logs). */
  shareWith(sink: SecretSink): void {
    if (this.sharedWith.has(sink)) return;
    this.sharedWith.add(sink);
    sink.add(this.known);
  }

  mask(text: string): string {
    return this.masked.mask(text);
  }

  maskValue<T>(value: T): T {
    return this.masked.maskValue(value);
  }

  private async value(name: string, field: string | undefined): Promise<string> {
    const whole = await this.lookup(name);
    if (field === undefined) return whole;
    let parsed: unknown;
    try {
      parsed = JSON.parse(whole);
    } catch {
      // The parser's message quotes the text: say nothing of it.
      throw new BlockFailure('SecretError', `secret ${name} is not JSON, so it has no field "${field}"`, false);
    }
    const value = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[field] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new BlockFailure('SecretError', `secret ${name} has no string field "${field}"`, false);
    }
    this.remember(String(value));
    return String(value);
  }

  private async lookup(name: string): Promise<string> {
    if (this.settings.source === 'env') {
      const value = this.env[`BATON_SECRET_${name}`];
      if (value === undefined) throw new BlockFailure('SecretError', `secret ${name} is not set (BATON_SECRET_${name})`, false);
      this.remember(value);
      return value;
    }
    const now = this.options.now?.() ?? Date.now();
    const cached = this.cache.get(name);
    if (cached && cached.expiresAt > now) return cached.value;
    let pending = this.pending.get(name);
    if (!pending) {
      pending = this.fetch(name)
        .then((value) => {
          this.remember(value);
          this.cache.set(name, { value, expiresAt: now + this.settings.ttlMs });
          return value;
        })
        .finally(() => this.pending.delete(name));
      this.pending.set(name, pending);
    }
    return pending;
  }

  private async fetch(name: string): Promise<string> {
    const id = `${this.settings.prefix}${name}`;
    const where = this.settings.source === 'ssm' ? `SSM parameter ${id}` : `Secrets Manager secret ${id}`;
    let value: string | undefined;
    try {
      value = this.settings.source === 'ssm' ? await this.reader.parameter(id) : await this.reader.secret(id);
    } catch (error) {
      if (isSecretNotFound(error)) throw new BlockFailure('SecretError', `secret ${name}: there is no ${where}`, false);
      // Throttling, a network fault, expired credentials: another attempt may do better.
      const awsName = error instanceof Error ? error.name : 'Error';
      const detail = error instanceof Error ? error.message : String(error);
      throw new BlockFailure('SecretError', `secret ${name}: reading ${where} failed: ${awsName}: ${detail}`, true);
    }
    if (value === undefined) throw new BlockFailure('SecretError', `secret ${name}: ${where} has no value`, false);
    return value;
  }

  private remember(value: string): void {
    if (!value || this.known.has(value)) return;
    this.known.add(value);
    this.masked.add([value]);
    for (const sink of this.sharedWith) sink.add([value]);
  }
}
