export { clientConnectionOptions, clientOver, connectClient, connectOptions, connectTemporal, describeTls } from './connect.ts';
export { describeTarget, temporalSettings, temporalSettingsShape, DEFAULT_TLS_RELOAD_INTERVAL_MS, type ClusterMode, type TemporalSettings, type TlsFiles } from './settings.ts';
export { watchFileContents, type FileWatch } from './file-watch.ts';
export {
  ensureNamespace,
  whenNamespaceKnown,
  isTemporalCloud,
  DEFAULT_RETENTION_DAYS,
  type NamespaceOptions,
  type NamespaceState,
} from './namespace.ts';
export { canStartEagerly, markSharesWorkerConnection } from './eager-start.ts';
