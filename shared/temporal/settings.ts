/**
 * How to reach the Temporal cluster, read once from @temporalio/envconfig's
 * names (TEMPORAL_ADDRESS, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE
 * and its TOML file) with Baton's defaults where they are unset. The same
 * settings serve every client and the worker. Four cluster modes come out:
 *
 * - plain:   no TLS (the embedded dev server, a cluster inside a private network)
 * - tls:     server-authenticated TLS (TEMPORAL_TLS=true, or a server CA only)
 * - mtls:    TLS with a client certificate (self-hosted, or Temporal Cloud)
 * - api-key: TLS plus `Authorization: Bearer` (Temporal Cloud API keys)
 */
import { accessSync, constants } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigTLS, type ConfigDataSource } from '@temporalio/envconfig';
import { ConfigError, errorMessage } from '../errors/index.ts';
import { z } from 'zod';
import { definedEnv, envText, envWholeNumber, parseEnv, type BatonConfig, type Env } from '../config/index.ts';

export type ClusterMode = 'plain' | 'tls' | 'mtls' | 'api-key';

/** The certificate files that are watched and re-read when they change. */
export interface TlsFiles {
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly serverCa?: string;
}

export interface TemporalSettings {
  readonly address: string;
  readonly namespace: string;
  readonly mode: ClusterMode;
  /** For NativeConnection / Connection `tls`; false or undefined means plain. */
  readonly tls: TLSConfig | undefined;
  readonly apiKey: string | undefined;
  readonly metadata: Record<string, string> | undefined;
  readonly serverName: string | undefined;
  /** Set when any certificate comes from a file path (not inline data). */
  readonly files: TlsFiles | undefined;
  /** How often certificate files are checked for changes. */
  readonly reloadIntervalMs: number;
}

export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 30_000;

const PATH_SETTINGS = [
  ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'clientCert'],
  ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'clientKey'],
  ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'serverCACert'],
] as const;

function pathOf(source: ConfigDataSource | undefined): string | undefined {
  return source && 'path' in source ? source.path : undefined;
}

function hasSource(source: ConfigDataSource | undefined): boolean {
  return source !== undefined && ('path' in source ? source.path !== '' : source.data.length > 0);
}

/**
 * The settings this module reads beside envconfig's own TEMPORAL_* names
 * (which @temporalio/envconfig validates as it loads them).
 */
export const temporalSettingsShape = {
  BATON_TLS_RELOAD_INTERVAL_MS: envWholeNumber(10, 86_400_000, 'must be a whole number of milliseconds from 10 to 86400000'),
  TEMPORAL_PROFILE: envText(),
  TEMPORAL_CONFIG_FILE: envText(),
  TEMPORAL_API_KEY: envText(),
  TEMPORAL_TLS: envText(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: envText(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: envText(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: envText(),
  TEMPORAL_TLS_SERVER_NAME: envText(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: envText(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: envText(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: envText(),
};

function parseReloadInterval(env: Env): number {
  return (
    parseEnv(z.object({ BATON_TLS_RELOAD_INTERVAL_MS: temporalSettingsShape.BATON_TLS_RELOAD_INTERVAL_MS }), env).BATON_TLS_RELOAD_INTERVAL_MS ??
    DEFAULT_TLS_RELOAD_INTERVAL_MS
  );
}

/** Names the setting a TLS source came from, so an unreadable file is reported by its variable. */
function settingFor(env: Env, field: (typeof PATH_SETTINGS)[number][1]): string {
  const entry = PATH_SETTINGS.find(([, name]) => name === field);
  return entry && env[entry[0]] ? entry[0] : `the TEMPORAL_PROFILE tls.${field}`;
}

function checkReadable(env: Env, tls: ClientConfigTLS): void {
  for (const [, field] of PATH_SETTINGS) {
    const path = pathOf(tls[field]);
    if (path === undefined) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      throw new ConfigError(settingFor(env, field), `cannot read "${path}": ${errorMessage(error)}`);
    }
  }
}

export function temporalSettings(env: Env, config: BatonConfig): TemporalSettings {
  // An empty variable means unset (a deploy template sets every name, some to '').
  const present = Object.fromEntries(Object.entries(definedEnv(env)).filter(([, value]) => value.trim() !== ''));
  let profile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: present });
  } catch (error) {
    throw new ConfigError(env.TEMPORAL_PROFILE ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE', errorMessage(error));
  }
  const tlsSource = profile.tls?.disabled ? undefined : profile.tls;
  const apiKey = profile.apiKey?.trim() || undefined;
  const hasCert = hasSource(tlsSource?.clientCert);
  const hasKey = hasSource(tlsSource?.clientKey);
  if (hasCert !== hasKey) {
    throw new ConfigError(
      hasCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'a client certificate needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA forms)',
    );
  }
  if (apiKey && hasCert) {
    throw new ConfigError('TEMPORAL_API_KEY', 'set either an API key or a client certificate (TEMPORAL_TLS_CLIENT_CERT_*), not both');
  }
  if (tlsSource) checkReadable(env, tlsSource);

  // Reads the certificate files now: each call sees what they hold at that moment.
  const tls = toClientOptions(profile).connectionOptions.tls;
  const useTls = tls !== undefined && tls !== null && tls !== false;
  const mode: ClusterMode = apiKey ? 'api-key' : hasCert ? 'mtls' : useTls ? 'tls' : 'plain';
  const files: TlsFiles = {
    ...(pathOf(tlsSource?.clientCert) ? { clientCert: pathOf(tlsSource?.clientCert) } : {}),
    ...(pathOf(tlsSource?.clientKey) ? { clientKey: pathOf(tlsSource?.clientKey) } : {}),
    ...(pathOf(tlsSource?.serverCACert) ? { serverCa: pathOf(tlsSource?.serverCACert) } : {}),
  };
  return {
    address: profile.address ?? config.temporal.address,
    namespace: config.temporal.namespace,
    mode,
    tls: useTls ? (tls === true ? {} : tls) : undefined,
    apiKey,
    metadata: profile.grpcMeta,
    serverName: tlsSource?.serverName,
    files: Object.keys(files).length > 0 ? files : undefined,
    reloadIntervalMs: parseReloadInterval(env),
  };
}

/** One line for logs: the mode and where, never a secret. */
export function describeTarget(settings: TemporalSettings): string {
  const details = settings.files?.clientCert ? ` (client certificate ${settings.files.clientCert})` : '';
  return `${settings.address}, namespace ${settings.namespace}, ${settings.mode}${details}`;
}
