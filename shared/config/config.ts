/**
 * Baton's settings, parsed once at start-up from an injected env (README, Configuration).
 * A missing or malformed setting throws a ConfigError naming it; the rules
 * of each setting are zod schemas (env-schema.ts). Secrets
 * (the key ring) are turned into objects here and never echoed.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { keyRingFromEnv, type KeyRing } from '../codec/key-ring.ts';
import { envHttpUrl, envMatching, envText, parseEnv, type Env } from './env-schema.ts';

export type { Env } from './env-schema.ts';

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
const RESULTS_URL = /^(file:\/\/\/.+|s3:\/\/[a-z0-9.-]{3,63}(\/.*)?)$/;

/**
 * The settings every Baton process shares; each process's own schema
 * (worker/settings.ts, functions/executor/settings.ts, ...) spreads these
 * into its z.object beside its own.
 */
export const coreSettings = {
  BATON_STAGE: envMatching(STAGE, `lower-case letters, digits and dashes, starting with a letter (${STAGE.source})`),
  TEMPORAL_ADDRESS: envMatching(HOST_PORT, 'host:port'),
  TEMPORAL_NAMESPACE: envMatching(/^[A-Za-z0-9._-]{2,255}$/, 'a valid namespace name (letters, digits, . _ -)'),
  BATON_TASK_QUEUE: envText(),
  BATON_RESULTS_URL: envMatching(RESULTS_URL, 'file:///abs/dir or s3://bucket/prefix'),
  BATON_LAMBDA_ENDPOINT: envHttpUrl(),
  BATON_CODE_EXECUTOR_FUNCTION: envText(),
  BATON_DB_CONNECTOR_FUNCTION: envText(),
  ENCRYPTION_KEY: envText(),
  BATON_ENCRYPTION_KEYS: envText(),
};
const core = z.object(coreSettings);

/** The set entries only, for APIs that take Record<string, string> (process.env, envconfig). */
export function definedEnv(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function parseStage(env: Env): string {
  return parseEnv(core.pick({ BATON_STAGE: true }), env).BATON_STAGE ?? 'local';
}

/** Serverless names functions `<service>-<stage>-<function>`; the local endpoint serves the same names. */
export function functionNames(env: Env, stage = parseStage(env)): FunctionNames {
  const settings = parseEnv(core.pick({ BATON_CODE_EXECUTOR_FUNCTION: true, BATON_DB_CONNECTOR_FUNCTION: true }), env);
  return {
    codeExecutor: settings.BATON_CODE_EXECUTOR_FUNCTION ?? `baton-${stage}-code-executor`,
    dbConnector: settings.BATON_DB_CONNECTOR_FUNCTION ?? `baton-${stage}-db-connector`,
  };
}

export function parseResultsUrl(env: Env, cwd = process.cwd()): string {
  const settings = parseEnv(core.pick({ BATON_RESULTS_URL: true }), env);
  return settings.BATON_RESULTS_URL ?? pathToFileURL(resolve(cwd, '.baton', 'results')).href;
}

export function loadConfig(env: Env, cwd = process.cwd()): BatonConfig {
  const settings = parseEnv(core, env);
  const stage = settings.BATON_STAGE ?? 'local';
  return {
    stage,
    temporal: { address: settings.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', namespace: settings.TEMPORAL_NAMESPACE ?? `baton-${stage}` },
    taskQueue: settings.BATON_TASK_QUEUE ?? 'baton',
    resultsUrl: parseResultsUrl(env, cwd),
    lambdaEndpoint: settings.BATON_LAMBDA_ENDPOINT,
    functions: functionNames(env, stage),
    keyRing: keyRingFromEnv(env),
  };
}
