/**
 * Temporal connections for every client (and, in worker/connect.ts, the
 * worker), from the settings in settings.ts. A client whose certificates are
 * files re-reads them when they change (client-credentials.ts).
 */
import { Client, Connection, type ConnectionLike, type ConnectionOptions } from '@temporalio/client';
import type { BatonConfig, Env } from '../config/index.ts';
import { dataConverterFor } from '../codec/index.ts';
import { TemporalConnectError, errorMessage } from '../errors/index.ts';
import { temporalSettings, type TemporalSettings } from './settings.ts';
import { watchingCredentials } from './client-credentials.ts';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { tracingEnabled } from '../tracing/index.ts';

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

/** The TLS mode in words, for a message; names certificate files, never their contents or an API key. */
export function describeTls(settings: TemporalSettings): string {
  const ca = settings.files?.serverCa
    ? `server CA ${settings.files.serverCa}`
    : settings.tls?.serverRootCACertificate
      ? 'server CA given inline'
      : 'the system\'s trusted CAs';
  const name = settings.serverName ? `, server name ${settings.serverName}` : '';
  switch (settings.mode) {
    case 'plain':
      return 'plain, no TLS';
    case 'tls':
      return `TLS, ${ca}${name}`;
    case 'mtls':
      return `mTLS, client certificate ${settings.files?.clientCert ?? 'given inline'}, ${ca}${name}`;
    case 'api-key':
      return `TLS with an API key, ${ca}${name}`;
  }
}

/**
 * Connection.connect, except that a connection that fails is closed: its gRPC
 * channel (and a certificate file watcher) would otherwise keep the process
 * alive after the error, and the error names the address and the TLS mode.
 */
export async function connectTemporal(settings: TemporalSettings, extra: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const connection = Connection.lazy({ ...clientConnectionOptions(settings), ...extra });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (error) {
    await connection.close().catch(() => {});
    throw new TemporalConnectError(settings.address, describeTls(settings), errorMessage(error), { cause: error });
  }
}

export async function connectClient(env: Env, config: BatonConfig): Promise<Client> {
  return clientOver(await connectTemporal(temporalSettings(env, config)), config);
}

/** Baton's client (its namespace, codec and tracing) over a connection made elsewhere: a worker's, say. */
export function clientOver(connection: ConnectionLike, config: BatonConfig): Client {
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config.keyRing),
    // A traced process hands its trace context to the runs it starts (the workflow sandbox continues it).
    ...(tracingEnabled() ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
}
