/**
 * Secrets from the env, and from SSM Parameter Store and Secrets Manager on
 * the local moto server (AWS itself cannot be reached from tests), with the
 * cache and its TTL, JSON fields, and masking.
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, inject, it } from 'vitest';
import { Secrets, secretsSettings } from '../../../../functions/db-connector/secrets.ts';
import { stepFailure } from './helpers.ts';
import { SecretMask } from '../../../../shared/secrets/secret-mask.ts';

const aws = { endpoint: inject('motoEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const ssm = new SSMClient(aws);
const secretsManager = new SecretsManagerClient(aws);
const unique = `t${process.pid}x${Date.now()}`;


describe('settings', () => {
  it('default to the env, with stage-named prefixes for AWS sources', () => {
    expect(secretsSettings({})).toEqual({ source: 'env', prefix: 'baton/local/secrets/', ttlMs: 300_000 });
    expect(secretsSettings({ BATON_SECRETS_SOURCE: 'ssm', BATON_STAGE: 'prod' })).toMatchObject({ source: 'ssm', prefix: '/baton/prod/secrets/' });
    expect(secretsSettings({ BATON_SECRETS_SOURCE: 'secretsmanager', BATON_SECRETS_PREFIX: 'shop/' })).toMatchObject({ prefix: 'shop/' });
  });

  it('name the bad setting', () => {
    expect(() => secretsSettings({ BATON_SECRETS_SOURCE: 'vault' })).toThrow('BATON_SECRETS_SOURCE: must be one of env, ssm, secretsmanager, got "vault"');
    expect(() => secretsSettings({ BATON_SECRETS_TTL_MS: 'soon' })).toThrow('BATON_SECRETS_TTL_MS: must be a whole number');
  });
});

describe('the env source', () => {
  it('fills placeholders from BATON_SECRET_<NAME>, percent-encoded where asked', async () => {
    const secrets = new Secrets({ env: { BATON_SECRET_PW: 'p@ss/word', BATON_SECRET_USER: 'app' } });
    expect(await secrets.resolve('{{ secret:USER }}:{{secret:PW}}')).toBe('app:p@ss/word');
    expect(await secrets.resolve('postgres://{{ secret:USER }}:{{ secret:PW }}@db/x', encodeURIComponent)).toBe('postgres://app:p%40ss%2Fword@db/x');
    expect(await secrets.resolve('no placeholders')).toBe('no placeholders');
  });

  it('takes a field of a JSON secret, without quoting the secret when it is not JSON', async () => {
    const secrets = new Secrets({ env: { BATON_SECRET_RDS: '{"username":"app","password":"s3cr3t-value"}', BATON_SECRET_PLAIN: 'hunter2-plain' } });
    expect(await secrets.resolve('{{ secret:RDS.password }}')).toBe('s3cr3t-value');
    const missing = await stepFailure(secrets.resolve('{{ secret:RDS.token }}'));
    expect(missing.message).toBe('secret RDS has no string field "token"');
    const plain = await stepFailure(secrets.resolve('{{ secret:PLAIN.password }}'));
    expect(plain.message).toBe('secret PLAIN is not JSON, so it has no field "password"');
    expect(plain.message).not.toContain('hunter2');
  });

  it('fails a missing secret at once, naming the variable', async () => {
    const error = await stepFailure(new Secrets({ env: {} }).resolve('{{ secret:NOPE }}'));
    expect(error).toMatchObject({ type: 'SecretError', retryable: false, message: 'secret NOPE is not set (BATON_SECRET_NOPE)' });
  });
});

describe('SSM Parameter Store', () => {
  it('reads a decrypted parameter under the prefix, and caches it until the TTL runs out', async () => {
    const prefix = `/baton/${unique}/`;
    await ssm.send(new PutParameterCommand({ Name: `${prefix}DB_PASSWORD`, Value: 'first-value-1', Type: 'SecureString' }));
    let now = 1_000_000;
    const secrets = new Secrets({
      env: { BATON_SECRETS_SOURCE: 'ssm', BATON_SECRETS_PREFIX: prefix, BATON_SECRETS_TTL_MS: '60000' },
      ssm: () => ssm,
      now: () => now,
    });
    expect(await secrets.resolve('{{ secret:DB_PASSWORD }}')).toBe('first-value-1');
    await ssm.send(new PutParameterCommand({ Name: `${prefix}DB_PASSWORD`, Value: 'second-value-2', Type: 'SecureString', Overwrite: true }));
    now += 59_000;
    expect(await secrets.resolve('{{ secret:DB_PASSWORD }}')).toBe('first-value-1');
    now += 2_000;
    expect(await secrets.resolve('{{ secret:DB_PASSWORD }}')).toBe('second-value-2');
    // both values stay masked: the old one may still sit in an error from an older connection
    expect(secrets.mask('first-value-1 / second-value-2')).toBe('**** / ****');
  });

  it('tells the sandbox mask every value it reads, so block logs hide them too', async () => {
    const prefix = `/baton/${unique}-share/`;
    await ssm.send(new PutParameterCommand({ Name: `${prefix}TOKEN`, Value: 'from-ssm-only', Type: 'SecureString' }));
    const secrets = new Secrets({ env: { BATON_SECRETS_SOURCE: 'ssm', BATON_SECRETS_PREFIX: prefix }, ssm: () => ssm });
    const sandboxMask = new SecretMask();
    secrets.shareWith(sandboxMask);
    await secrets.resolve('{{ secret:TOKEN }}');
    expect(sandboxMask.mask('console: from-ssm-only')).toBe('console: ****');
  });

  it('reads afresh after forget() (a rotated password failed)', async () => {
    const prefix = `/baton/${unique}-forget/`;
    await ssm.send(new PutParameterCommand({ Name: `${prefix}PW`, Value: 'before-rotation', Type: 'SecureString' }));
    const secrets = new Secrets({ env: { BATON_SECRETS_SOURCE: 'ssm', BATON_SECRETS_PREFIX: prefix }, ssm: () => ssm });
    expect(await secrets.resolve('{{ secret:PW }}')).toBe('before-rotation');
    await ssm.send(new PutParameterCommand({ Name: `${prefix}PW`, Value: 'after-rotation', Type: 'SecureString', Overwrite: true }));
    secrets.forget();
    expect(await secrets.resolve('{{ secret:PW }}')).toBe('after-rotation');
  });

  it('fails a missing parameter at once, naming it', async () => {
    const secrets = new Secrets({ env: { BATON_SECRETS_SOURCE: 'ssm', BATON_SECRETS_PREFIX: `/baton/${unique}/` }, ssm: () => ssm });
    const error = await stepFailure(secrets.resolve('{{ secret:ABSENT }}'));
    expect(error).toMatchObject({ type: 'SecretError', retryable: false, message: `secret ABSENT: there is no SSM parameter /baton/${unique}/ABSENT` });
  });

  it('fails retryably when SSM cannot be reached', async () => {
    const unreachable = new SSMClient({ ...aws, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const secrets = new Secrets({ env: { BATON_SECRETS_SOURCE: 'ssm' }, ssm: () => unreachable });
    const error = await stepFailure(secrets.resolve('{{ secret:ANY }}'));
    expect(error).toMatchObject({ type: 'SecretError', retryable: true });
    expect(error.message).toContain('secret ANY: reading SSM parameter /baton/local/secrets/ANY failed');
  });
});

describe('Secrets Manager', () => {
  it('reads a secret string under the prefix, and a field of a JSON one', async () => {
    const prefix = `baton/${unique}/`;
    await secretsManager.send(new CreateSecretCommand({ Name: `${prefix}API_TOKEN`, SecretString: 'token-abc-123' }));
    await secretsManager.send(new CreateSecretCommand({ Name: `${prefix}RDS`, SecretString: JSON.stringify({ username: 'app', password: 'rds-pass-9' }) }));
    const secrets = new Secrets({ env: { BATON_SECRETS_SOURCE: 'secretsmanager', BATON_SECRETS_PREFIX: prefix }, secretsManager: () => secretsManager });
    expect(await secrets.resolve('Bearer {{ secret:API_TOKEN }}')).toBe('Bearer token-abc-123');
    expect(await secrets.resolve('{{ secret:RDS.username }}:{{ secret:RDS.password }}')).toBe('app:rds-pass-9');
    await secretsManager.send(new PutSecretValueCommand({ SecretId: `${prefix}API_TOKEN`, SecretString: 'token-rotated' }));
    expect(await secrets.resolve('{{ secret:API_TOKEN }}')).toBe('token-abc-123');
  });

  it('fails a missing secret at once, naming it', async () => {
    const secrets = new Secrets({ env: { BATON_SECRETS_SOURCE: 'secretsmanager', BATON_SECRETS_PREFIX: `baton/${unique}/` }, secretsManager: () => secretsManager });
    const error = await stepFailure(secrets.resolve('{{ secret:ABSENT }}'));
    expect(error).toMatchObject({ type: 'SecretError', retryable: false, message: `secret ABSENT: there is no Secrets Manager secret baton/${unique}/ABSENT` });
  });
});

describe('masking', () => {
  it('blanks every resolved value, its encoded form and URL passwords, in text and in JSON values', async () => {
    const secrets = new Secrets({ env: { BATON_SECRET_PW: 'p@ss word!', BATON_SECRET_TINY: 'abc' } });
    await secrets.resolve('x://u:{{ secret:PW }}@h', encodeURIComponent);
    await secrets.resolve('{{ secret:TINY }}');
    expect(secrets.mask('connect x://u:p%40ss%20word!@h failed: p@ss word!')).toBe('connect x://u:****@h failed: ****');
    expect(secrets.mask('mysql://root:literal@db:3306/x')).toBe('mysql://root:****@db:3306/x');
    // too short to be told from ordinary data: left alone
    expect(secrets.mask('abc')).toBe('abc');
    expect(secrets.maskValue({ headers: { authorization: 'Bearer p@ss word!' }, list: ['p@ss word!', 1, null], 'p@ss word!': true })).toEqual({
      headers: { authorization: 'Bearer ****' },
      list: ['****', 1, null],
      '****': true,
    });
  });
});
