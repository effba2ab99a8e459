/**
 * Baton's settings, parsed once at start-up from an injected env (DESIGN §5).
 * A missing or malformed setting throws a ConfigError naming it. Secrets
 * (the key ring) are turned into objects here and never echoed.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/index.ts';
import { keyRingFromEnv, type KeyRing } from '../codec/key-ring.ts';

export type Env = Record<string, string | undefined>;

export interface FunctionNames {
  readonly codeExecutor: string;
  readonly dbConnector: string;
}

export interface BatonConfig {
  readonly stage: string;
  readonly temporal: { readonly address: string; readonly namespace: string };
  readonly taskQueue: string;
  readonly resultsUrl: string;
  /** Local Lambda Invoke endpoint; undefined in AWS, where the SDK finds Lambda itself. */
  readonly lambdaEndpoint: string | undefined;
  readonly functions: FunctionNames;
  readonly keyRing: KeyRing;
}

const STAGE = /^[a-z][a-z0-9-]{0,20}$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** The set entries only, for APIs that take Record<string, string> (process.env, envconfig). */
export function definedEnv(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function parseStage(env: Env): string {
  const stage = read(env, 'BATON_STAGE') ?? 'local';
  if (!STAGE.test(stage)) throw new ConfigError('BATON_STAGE', `must match ${STAGE.source}, got "${stage}"`);
  return stage;
}

/** Serverless names functions `<service>-<stage>-<function>`; the local endpoint serves the same names. */
export function functionNames(env: Env, stage = parseStage(env)): FunctionNames {
  return {
    codeExecutor: read(env, 'BATON_CODE_EXECUTOR_FUNCTION') ?? `baton-${stage}-code-executor`,
    dbConnector: read(env, 'BATON_DB_CONNECTOR_FUNCTION') ?? `baton-${stage}-db-connector`,
  };
}

export function parseResultsUrl(env: Env, cwd = process.cwd()): string {
  const url = read(env, 'BATON_RESULTS_URL') ?? pathToFileURL(resolve(cwd, '.baton', 'results')).href;
  if (!/^(file:\/\/\/.+|s3:\/\/[a-z0-9.-]{3,63}(\/.*)?)$/.test(url)) {
    throw new ConfigError('BATON_RESULTS_URL', `must be file:///abs/dir or s3://bucket/prefix, got "${url}"`);
  }
  return url;
}

function parseUrl(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${value}"`);
  }
}

export function loadConfig(env: Env, cwd = process.cwd()): BatonConfig {
  const stage = parseStage(env);
  const address = read(env, 'TEMPORAL_ADDRESS') ?? '127.0.0.1:7233';
  if (!HOST_PORT.test(address)) throw new ConfigError('TEMPORAL_ADDRESS', `must be host:port, got "${address}"`);
  const namespace = read(env, 'TEMPORAL_NAMESPACE') ?? `baton-${stage}`;
  if (!/^[A-Za-z0-9._-]{2,255}$/.test(namespace)) {
    throw new ConfigError('TEMPORAL_NAMESPACE', `is not a valid namespace name: "${namespace}"`);
  }
  const taskQueue = read(env, 'BATON_TASK_QUEUE') ?? 'baton';
  return {
    stage,
    temporal: { address, namespace },
    taskQueue,
    resultsUrl: parseResultsUrl(env, cwd),
    lambdaEndpoint: parseUrl(env, 'BATON_LAMBDA_ENDPOINT'),
    functions: functionNames(env, stage),
    keyRing: keyRingFromEnv(env),
  };
}
