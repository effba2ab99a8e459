/**
 * Lambda entry point of the API, behind an API Gateway HTTP API (payload
 * format 2.0): hono's adapter turns each event into a Request for the app
 * that `baton dev` and the tests serve too. The deps are made on the first
 * request of a container from its env (secret references resolved, nothing
 * written to process.env); a failure is not kept, so the next request tries again.
 */
import { handle } from 'hono/aws-lambda';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import type { Env } from '../../shared/config/index.ts';
import { withSecretRefs } from '../../shared/secrets/secret-refs.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { openResultStore } from '../../shared/store/index.ts';
import { versionRegistry, versionStoreOf } from '../../shared/versions/index.ts';
import { HttpError } from '../../shared/errors/index.ts';
import { createApiApp, type ApiDeps, type DepsSource } from './app.ts';
import { apiConfigFromEnv } from './config.ts';
import { loadUiAssetsIfBuilt } from './ui-assets.ts';
import { startRateLimit } from './start-rate.ts';
import { approvalLinksFromEnv } from '../../shared/auth/approval-links.ts';
import { startTracing } from '../../shared/tracing/index.ts';
import { errorLogFields, processLogger } from '../../shared/log/index.ts';

const logger = processLogger('api');

export async function apiDepsFromEnv(rawEnv: Env): Promise<ApiDeps> {
  const env = await withSecretRefs(rawEnv);
  const config = apiConfigFromEnv(env);
  startTracing('baton-api', env);
  const store = openResultStore(config.baton.resultsUrl, config.baton.keyRing);
  const versions = versionStoreOf(store);
  return {
    client: await connectClient(env, config.baton),
    store,
    taskQueue: config.baton.taskQueue,
    // The released versions in the store: a publish reaches this function without a redeploy.
    registry: versionRegistry(versions),
    versions,
    checkApiKey: apiKeyCheckFromEnv(env),
    approvalLinks: approvalLinksFromEnv(env),
    ui: loadUiAssetsIfBuilt(config.uiDir),
    ...(config.startRate ? { limitStarts: startRateLimit(config.startRate) } : {}),
  };
}

/** Memoises a deps factory, forgetting a failure so the next call tries again. */
export function onceDeps(create: () => Promise<ApiDeps>): () => Promise<ApiDeps> {
  let deps: Promise<ApiDeps> | undefined;
  return () => {
    deps ??= create();
    deps.catch(() => {
      deps = undefined;
    });
    return deps;
  };
}

/** The app and its Lambda handler over one deps source. */
export function createApiHandler(source: DepsSource) {
  const app = createApiApp(source);
  return { app, handler: handle(app) };
}

/** The deps from process.env; a bad setting is logged by name (a ConfigError's message never holds the value) and answered 500. */
async function depsFromProcessEnv(): Promise<ApiDeps> {
  try {
    return await apiDepsFromEnv(process.env);
  } catch (error) {
    if (error instanceof Error && error.name === 'ConfigError') logger.error(error.message);
    else logger.error(errorLogFields(error), 'cannot start');
    throw new HttpError(500, 'misconfigured', 'the API is misconfigured or cannot reach Temporal; its log says why');
  }
}

export const { app, handler } = createApiHandler(onceDeps(depsFromProcessEnv));
