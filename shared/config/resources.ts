/**
 * The stage's resources (README, Configuration): named databases and HTTP APIs that query
 * and http blocks use, from BATON_RESOURCES (a YAML/JSON file path, or inline
 * JSON). `{{ secret:NAME }}` placeholders stay unresolved here: only the
 * db-connector resolves them. Checks that need no secret (URL shape, scheme,
 * settings in the URL) happen here, so a typo stops start-up, not a run.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors/index.ts';
import type { Env } from './config.ts';

/** `{{ secret:NAME }}` or `{{ secret:NAME.field }}` (a field of a JSON secret). */
export const SECRET_PLACEHOLDER = /\{\{\s*secret:([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\s*\}\}/g;

/** TLS settings of a database connection; `ca`, `cert` and `key` are PEM text (or a secret), or a file path. */
const tlsSchema = z.strictObject({
  rejectUnauthorized: z.boolean().default(true),
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  /** The name the server certificate must carry, when it differs from the URL's host. */
  servername: z.string().min(1).optional(),
});
export type TlsSettings = z.infer<typeof tlsSchema>;

/** The SSL settings a URL may carry, by scheme: the only query parameters allowed in a database URL. */
export const URL_SSL_PARAMETER = { postgres: 'sslmode', mysql: 'ssl-mode' } as const;

const sqlResource = {
  url: z.string().min(1),
  /** Most connections the pool of one executor container opens. */
  poolSize: z.int().min(1).max(100).default(4),
  /** `true` verifies the server certificate against the system CAs; an object says more. */
  ssl: z.union([z.boolean(), tlsSchema]).optional(),
  /** A query returning more rows than this fails (ResultTooLarge) instead of filling memory. */
  maxRows: z.int().min(1).max(10_000_000).default(10_000),
  /** Bytes of the result as JSON; defaults to the executor's BATON_MAX_RESULT_BYTES. */
  maxBytes: z.int().min(1).optional(),
  connectTimeoutMs: z.int().min(1).max(900_000).default(10_000),
  /** How long a pooled connection may stay idle before it is closed. */
  idleTimeoutMs: z.int().min(1).max(3_600_000).default(60_000),
};

export const resourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('postgres'), ...sqlResource }),
  z.strictObject({ type: z.literal('mysql'), ...sqlResource }),
  z.strictObject({
    type: z.literal('http'),
    baseUrl: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    /** An upper bound for each request on this resource; a block's own timeoutMs may be shorter. */
    timeoutMs: z.int().min(1).max(900_000).optional(),
    /** Bytes of a response body; defaults to the executor's BATON_MAX_RESULT_BYTES. */
    maxResponseBytes: z.int().min(1).optional(),
    /** Redirects followed before the request fails; 0 follows none. */
    maxRedirects: z.int().min(0).max(20).default(5),
  }),
]);
export type Resource = z.infer<typeof resourceSchema>;
export type SqlResource = Extract<Resource, { type: 'postgres' | 'mysql' }>;
export type HttpResource = Extract<Resource, { type: 'http' }>;
export type Resources = Readonly<Record<string, Resource>>;

const RESOURCE_NAME = /^[A-Za-z0-9_-]+$/;
const SCHEMES = { postgres: ['postgres:', 'postgresql:'], mysql: ['mysql:', 'mariadb:'], http: ['http:', 'https:'] } as const;

/** What is wrong with a resource's URL, checked with placeholders standing in for secrets; never echoes the URL. */
function urlProblem(resource: Resource): { field: string; message: string } | undefined {
  const field = resource.type === 'http' ? 'baseUrl' : 'url';
  const text = resource.type === 'http' ? resource.baseUrl : resource.url;
  let url: URL;
  try {
    url = new URL(text.replace(SECRET_PLACEHOLDER, 'secret'));
  } catch {
    return { field, message: `is not a URL (expected ${SCHEMES[resource.type][0]}//...)` };
  }
  const schemes: readonly string[] = SCHEMES[resource.type];
  if (!schemes.includes(url.protocol)) {
    return { field, message: `must start with ${schemes.map((s) => `${s}//`).join(' or ')}, not ${url.protocol}//` };
  }
  if (!url.hostname) return { field, message: 'names no host' };
  if (resource.type === 'http') return undefined;
  const allowed = URL_SSL_PARAMETER[resource.type];
  for (const name of url.searchParams.keys()) {
    if (name !== allowed) {
      return { field, message: `has the parameter "${name}"; only ${allowed} may be set in the URL (use the resource's own settings)` };
    }
    if (resource.ssl !== undefined) return { field, message: `sets ${allowed} while the resource sets ssl: set one of them` };
  }
  return undefined;
}

export function parseResources(env: Env): Resources {
  const setting = env.BATON_RESOURCES?.trim();
  if (!setting) return {};
  let raw: unknown;
  try {
    raw = setting.startsWith('{') ? JSON.parse(setting) : parse(readFileSync(setting, 'utf8'));
  } catch (error) {
    throw new ConfigError('BATON_RESOURCES', `cannot read resources: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const name of raw && typeof raw === 'object' ? Object.keys(raw) : []) {
    if (!RESOURCE_NAME.test(name)) throw new ConfigError('BATON_RESOURCES', `"${name}": a resource name must be letters, digits, _ and -`);
  }
  const parsed = z.record(z.string(), resourceSchema).safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('BATON_RESOURCES', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  for (const [name, resource] of Object.entries(parsed.data)) {
    const problem = urlProblem(resource);
    if (problem) throw new ConfigError('BATON_RESOURCES', `${name}.${problem.field}: ${problem.message}`);
  }
  return parsed.data;
}
