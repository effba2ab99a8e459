import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../../../shared/codec/index.ts';
import { loadConfig, type Env } from '../../../../shared/config/index.ts';
import { ConfigError } from '../../../../shared/errors/index.ts';
import { clientConnectionOptions, connectOptions, describeTarget, temporalSettings } from '../../../../shared/temporal/index.ts';
import { issueCert, makeCa, type CertFiles } from '../../../support/certs.ts';

let dir: string;
let client: CertFiles;
let caPath: string;
const base = { ENCRYPTION_KEY: generateKey(), BATON_STAGE: 'prod', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

function settingsOf(env: Env) {
  const full = { ...base, ...env };
  return temporalSettings(full, loadConfig(full));
}

function configErrorOf(env: Env): ConfigError {
  try {
    settingsOf(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-settings-'));
  const ca = makeCa(dir, 'ca');
  client = issueCert(ca, 'client', 'client');
  caPath = ca.cert;
});

describe('temporalSettings: the cluster modes', () => {
  it('is plain with Baton defaults when nothing is set', () => {
    const settings = settingsOf({});
    expect(settings).toMatchObject({ address: '127.0.0.1:7233', namespace: 'baton-prod', mode: 'plain', tls: undefined, apiKey: undefined });
    expect(settings.files).toBeUndefined();
    expect(connectOptions(settings)).toEqual({ address: '127.0.0.1:7233' });
    expect(describeTarget(settings)).toBe('127.0.0.1:7233, namespace baton-prod, plain');
  });

  it('is tls with TEMPORAL_TLS=true (system roots), and with a server CA file (watched)', () => {
    const system = settingsOf({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'true' });
    expect(system.mode).toBe('tls');
    expect(system.tls).toEqual({ serverNameOverride: undefined, serverRootCACertificate: undefined, clientCertPair: undefined });
    expect(system.files).toBeUndefined();
    const withCa = settingsOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    expect(withCa.mode).toBe('tls');
    expect(withCa.files).toEqual({ serverCa: caPath });
    expect(withCa.serverName).toBe('temporal.internal');
    const options = clientConnectionOptions(withCa);
    expect(options.tls).toBeUndefined();
    expect(options.credentials?._isSecure()).toBe(true);
    expect(options.channelArgs).toEqual({ 'grpc.ssl_target_name_override': 'temporal.internal', 'grpc.default_authority': 'temporal.internal' });
  });

  it('is mtls with a client certificate and key from files, which a client re-reads (file-watching credentials)', () => {
    const settings = settingsOf({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
      BATON_TLS_RELOAD_INTERVAL_MS: '500',
    });
    expect(settings.mode).toBe('mtls');
    expect(settings.files).toEqual({ clientCert: client.cert, clientKey: client.key });
    expect(settings.reloadIntervalMs).toBe(500);
    expect(Buffer.from(settings.tls!.clientCertPair!.crt).toString()).toContain('BEGIN CERTIFICATE');
    expect(describeTarget(settings)).toBe(`temporal.internal:7233, namespace baton-prod, mtls (client certificate ${client.cert})`);
    const options = clientConnectionOptions(settings);
    expect(options.tls).toBeUndefined();
    expect(options.credentials?._isSecure()).toBe(true);
  });

  it('is mtls with inline certificate data (no files to watch: the static tls option)', async () => {
    const { readFileSync } = await import('node:fs');
    const settings = settingsOf({
      TEMPORAL_TLS_CLIENT_CERT_DATA: readFileSync(client.cert, 'utf8'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: readFileSync(client.key, 'utf8'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
    });
    expect(settings.mode).toBe('mtls');
    const options = clientConnectionOptions(settings);
    expect(options.credentials).toBeUndefined();
    expect(options.tls).toBe(settings.tls);
  });

  it('is api-key with TEMPORAL_API_KEY (TLS on, key never in the description)', () => {
    const settings = settingsOf({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'sekret-key-123' });
    expect(settings.mode).toBe('api-key');
    expect(settings.tls).toEqual({});
    expect(connectOptions(settings)).toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', tls: {}, apiKey: 'sekret-key-123' });
    expect(describeTarget(settings)).not.toContain('sekret');
  });

  it('treats empty variables as unset (a deploy template sets every name, unused ones to "")', () => {
    const settings = settingsOf({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_NAME: '',
      TEMPORAL_API_KEY: '',
      TEMPORAL_TLS_CLIENT_CERT_DATA: '',
      TEMPORAL_TLS_CLIENT_KEY_DATA: '',
    });
    expect(settings.mode).toBe('tls');
    expect(settings.serverName).toBeUndefined();
    expect(settings.tls?.serverNameOverride).toBeUndefined();
    expect(settingsOf({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: '' }).mode).toBe('plain');
  });

  it('reads a TEMPORAL_PROFILE from the TOML config file', () => {
    const toml = join(dir, 'temporal.toml');
    writeFileSync(toml, `[profile.prod]\naddress = "prod.tmprl.cloud:7233"\napi_key = "from-toml"\n`);
    const settings = settingsOf({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(settings).toMatchObject({ address: 'prod.tmprl.cloud:7233', mode: 'api-key', apiKey: 'from-toml' });
  });
});

describe('temporalSettings: bad settings name the variable', () => {
  it('a certificate without its key, or a key without its certificate', () => {
    expect(configErrorOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert }).setting).toBe('TEMPORAL_TLS_CLIENT_KEY_PATH');
    expect(configErrorOf({ TEMPORAL_TLS_CLIENT_KEY_PATH: client.key }).setting).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH');
  });

  it('an unreadable certificate file', () => {
    const error = configErrorOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'missing.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: client.key });
    expect(error.setting).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH');
    expect(error.message).toMatch(/cannot read ".*missing\.pem": ENOENT/);
    expect(configErrorOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'nope.pem') }).setting).toBe('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  });

  it('an API key together with a client certificate', () => {
    const error = configErrorOf({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: client.key });
    expect(error.setting).toBe('TEMPORAL_API_KEY');
    expect(error.message).toMatch(/either an API key or a client certificate/);
  });

  it('a profile that does not exist, and a bad reload interval', () => {
    writeFileSync(join(dir, 'one.toml'), '[profile.dev]\naddress = "x:1"\n');
    const profile = configErrorOf({ TEMPORAL_CONFIG_FILE: join(dir, 'one.toml'), TEMPORAL_PROFILE: 'prod' });
    expect(profile.setting).toBe('TEMPORAL_PROFILE');
    expect(profile.message).toMatch(/prod/);
    expect(configErrorOf({ BATON_TLS_RELOAD_INTERVAL_MS: 'soon' }).setting).toBe('BATON_TLS_RELOAD_INTERVAL_MS');
    expect(configErrorOf({ BATON_TLS_RELOAD_INTERVAL_MS: '5' }).message).toMatch(/from 10 to 86400000/);
  });
});
