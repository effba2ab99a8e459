export {
  RELEASE_CACHE_MS,
  VersionStore,
  versionStoreOf,
  type PublishOptions,
  type PublishResult,
  type ReleaseEntry,
  type StoredVersion,
  type VersionInfo,
} from './version-store.ts';
export { compileVersion, versionRegistry } from './version-registry.ts';
export { BOOTSTRAP_PUBLISHER, bootstrapLine, bootstrapVersions, type BootstrapReport } from './bootstrap.ts';
