import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';
import type { KeyRing } from '../codec/key-ring.ts';
import { FileBackend } from './file-backend.ts';
import { ResultStore } from './result-store.ts';

export { ResultStore, type ObjectBackend, type PutResult } from './result-store.ts';
export { LOOP_ITEMS_PER_CHUNK, storeKeys } from './keys.ts';

/** Opens the store named by BATON_RESULTS_URL: `file://DIR` (s3:// comes with the S3 backend). */
export function openResultStore(url: string, ring: KeyRing): ResultStore {
  if (url.startsWith('file://')) return new ResultStore(new FileBackend(fileURLToPath(url)), ring);
  if (url.startsWith('s3://')) {
    throw new ConfigError('BATON_RESULTS_URL', 'the s3:// backend is not built yet; use file://DIR');
  }
  throw new ConfigError('BATON_RESULTS_URL', `must be file://DIR or s3://bucket/prefix, got "${url}"`);
}
