/**
 * Temporal connections for every client (and, in worker/connect.ts, the worker), from
 * @temporalio/envconfig's names (TEMPORAL_ADDRESS, TEMPORAL_API_KEY, TLS
 * paths, TEMPORAL_PROFILE) with Baton's defaults where they are unset.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { definedEnv, type BatonConfig, type Env } from '../config/index.ts';
import { dataConverterFor } from '../codec/index.ts';

/** Connection options for clients and the worker alike. */
export function connectOptions(env: Env, config: BatonConfig) {
  const { connectionOptions } = loadClientConnectConfig({ overrideEnvVars: definedEnv(env) });
  return { ...connectionOptions, address: connectionOptions.address ?? config.temporal.address };
}

export async function connectClient(env: Env, config: BatonConfig): Promise<Client> {
  const connection = await Connection.connect(connectOptions(env, config));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config.keyRing),
  });
}
