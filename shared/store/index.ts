import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../errors/index.ts';
import type { KeyRing } from '../codec/key-ring.ts';
import type { Env } from '../config/index.ts';
import { FileBackend } from './file-backend.ts';
import { ResultStore } from './result-store.ts';
import { S3Backend, parseS3Url, s3ClientConfig } from './s3-backend.ts';

export { ResultStore, type ObjectBackend, type PutResult } from './result-store.ts';
export { parseS3Url, s3ClientConfig, type S3Location } from './s3-backend.ts';

/**
 * Opens the store named by BATON_RESULTS_URL: `file://DIR` or
 * `s3://bucket/prefix` (region and credentials from the AWS SDK's usual
 * sources in `env`'s process; AWS_ENDPOINT_URL_S3 for an S3-compatible endpoint).
 */
export function openResultStore(url: string, ring: KeyRing, env: Env = process.env): ResultStore {
  if (url.startsWith('file://')) return new ResultStore(new FileBackend(fileURLToPath(url)), ring);
  if (url.startsWith('s3://')) {
    const location = parseS3Url(url);
    return new ResultStore(new S3Backend(new S3Client(s3ClientConfig(env)), location), ring);
  }
  throw new ConfigError('BATON_RESULTS_URL', `must be file://DIR or s3://bucket/prefix, got "${url}"`);
}
