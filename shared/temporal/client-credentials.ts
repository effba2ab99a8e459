/**
 * gRPC channel credentials that re-read the client certificate, key and
 * server CA from their files (grpc-js's file-watcher provider), so a client
 * keeps connecting after the files are rotated, without a restart. The
 * connection that is up stays up (TLS checks a certificate at the handshake);
 * the next one is made with whatever the files hold then.
 */
import { rootCertificates } from 'node:tls';
import { experimental, type ChannelCredentials } from '@grpc/grpc-js';
import type { TemporalSettings, TlsFiles } from './settings.ts';

/** The system's trusted roots, for a server CA that is not given as a file. */
class SystemRootsProvider implements experimental.CertificateProvider {
  private readonly update = { caCertificate: Buffer.from(rootCertificates.join('\n')) };
  addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    listener(this.update);
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    listener(null);
  }
  removeIdentityCertificateListener(): void {}
}

/** A CA given inline (TEMPORAL_TLS_SERVER_CA_CERT_DATA) with client certificates from files. */
class FixedCaProvider extends SystemRootsProvider {
  constructor(private readonly ca: Uint8Array) {
    super();
  }
  override addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    listener({ caCertificate: Buffer.from(this.ca) });
  }
}

export interface WatchingCredentials {
  readonly credentials: ChannelCredentials;
  readonly channelArgs: Record<string, string>;
}

/**
 * Credentials for a TLS client whose certificates come from files. Undefined
 * when nothing is read from a file (plain, API key, or inline certificates):
 * Temporal's own `tls` option covers those.
 */
export function watchingCredentials(settings: TemporalSettings): WatchingCredentials | undefined {
  const files: TlsFiles | undefined = settings.files;
  if (!files || settings.apiKey) return undefined;
  const clientCertFromFiles = files.clientCert !== undefined && files.clientKey !== undefined;
  // A client certificate given inline cannot change: Temporal's static `tls` option serves it.
  if (settings.tls?.clientCertPair && !clientCertFromFiles) return undefined;
  const refreshIntervalMs = settings.reloadIntervalMs;
  const caProvider = files.serverCa
    ? new experimental.FileWatcherCertificateProvider({ caCertificateFile: files.serverCa, refreshIntervalMs })
    : settings.tls?.serverRootCACertificate
      ? new FixedCaProvider(settings.tls.serverRootCACertificate)
      : new SystemRootsProvider();
  const identityProvider =
    clientCertFromFiles
      ? new experimental.FileWatcherCertificateProvider({
          certificateFile: files.clientCert,
          privateKeyFile: files.clientKey,
          refreshIntervalMs,
        })
      : null;
  const channel = experimental.createCertificateProviderChannelCredentials(caProvider, identityProvider);
  const serverName = settings.serverName;
  return {
    credentials: channel,
    channelArgs: serverName ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {},
  };
}
