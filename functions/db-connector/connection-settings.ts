/**
 * A database resource's connection settings with its secrets resolved: the
 * URL taken apart (secrets percent-encoded into it, so any character works),
 * and SSL from the resource's `ssl` or the URL's sslmode / ssl-mode. A
 * fingerprint of the result tells when a pool must be rebuilt (a secret
 * rotated, the resources changed).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { URL_SSL_PARAMETER, type SqlResource, type TlsSettings } from '../../shared/config/resources.ts';
import type { Secrets } from './secrets.ts';
import { BlockFailure } from '../../shared/errors/index.ts';

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string | undefined;
  readonly ssl: false | ConnectionOptions;
}

const DEFAULT_PORTS = { postgres: 5432, mysql: 3306 } as const;

/** sslmode (libpq) and ssl-mode (MySQL) values, as TLS settings. "prefer" cannot be honoured by either driver. */
const URL_SSL_MODES: Record<string, false | TlsSettings> = {
  disable: false,
  disabled: false,
  require: { rejectUnauthorized: false },
  required: { rejectUnauthorized: false },
  'verify-ca': { rejectUnauthorized: true },
  verify_ca: { rejectUnauthorized: true },
  'verify-full': { rejectUnauthorized: true },
  verify_identity: { rejectUnauthorized: true },
};

function resourceFailure(name: string, message: string): BlockFailure {
  return new BlockFailure('ResourceError', `resource "${name}": ${message}`, false);
}

/** PEM text as it is; anything else is a file path (a CA bundle shipped with the function, say). */
function pem(name: string, field: string, value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch {
    throw resourceFailure(name, `ssl.${field} is neither PEM text nor a readable file`);
  }
}

async function tlsOptions(name: string, ssl: TlsSettings, secrets: Secrets): Promise<ConnectionOptions> {
  const options: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized };
  for (const field of ['ca', 'cert', 'key'] as const) {
    const value = ssl[field];
    if (value !== undefined) options[field] = pem(name, field, await secrets.resolve(value));
  }
  if (ssl.servername !== undefined) options.servername = ssl.servername;
  return options;
}

export async function connectionSettings(
  name: string,
  resource: SqlResource,
  secrets: Secrets,
): Promise<{ settings: ConnectionSettings; fingerprint: string }> {
  let url: URL;
  try {
    url = new URL(await secrets.resolve(resource.url, encodeURIComponent));
  } catch (error) {
    if (error instanceof BlockFailure) throw error;
    // The message would quote the URL, secrets and all.
    throw resourceFailure(name, 'url is not a valid URL once its secrets are filled in');
  }
  let ssl: false | TlsSettings = resource.ssl === true ? { rejectUnauthorized: true } : (resource.ssl ?? false);
  const mode = url.searchParams.get(URL_SSL_PARAMETER[resource.type]);
  if (mode !== null) {
    const fromUrl = URL_SSL_MODES[mode.toLowerCase()];
    if (fromUrl === undefined) {
      throw resourceFailure(name, `${URL_SSL_PARAMETER[resource.type]}=${mode} is not supported (use disable, require, verify-ca or verify-full)`);
    }
    ssl = fromUrl;
  }
  const settings: ConnectionSettings = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : DEFAULT_PORTS[resource.type],
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined,
    ssl: ssl === false ? false : await tlsOptions(name, ssl, secrets),
  };
  // Only a hash of the settings is kept beside the pool, so no second copy of the password lingers.
  const fingerprint = createHash('sha256').update(JSON.stringify([resource, settings])).digest('hex');
  return { settings, fingerprint };
}
