/**
 * Temporal connections for every client (and, in worker/connect.ts, the
 * worker), from the settings in settings.ts. A client whose certificates are
 * files re-reads them when they change (client-credentials.ts).
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { BatonConfig, Env } from '../config/index.ts';
import { dataConverterFor } from '../codec/index.ts';
import { temporalSettings, type TemporalSettings } from './settings.ts';
import { watchingCredentials } from './client-credentials.ts';

/** The options NativeConnection and Connection share: address, static TLS, API key, metadata. */
export function connectOptions(settings: TemporalSettings) {
  return {
    address: settings.address,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.metadata ? { metadata: settings.metadata } : {}),
  };
}

export function clientConnectionOptions(settings: TemporalSettings): ConnectionOptions {
  const watching = watchingCredentials(settings);
  if (!watching) return connectOptions(settings);
  const { tls: _static, ...rest } = connectOptions(settings);
  return { ...rest, credentials: watching.credentials, channelArgs: watching.channelArgs };
}

export async function connectClient(env: Env, config: BatonConfig): Promise<Client> {
  const connection = await Connection.connect(clientConnectionOptions(temporalSettings(env, config)));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config.keyRing),
  });
}
