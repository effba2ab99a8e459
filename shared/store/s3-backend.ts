/**
 * `s3://bucket/prefix`: the result store in AWS. Objects are written whole
 * (PutObject is atomic: a reader sees the old object or the new one, never
 * half of either), so no temp-and-rename dance is needed here.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError } from '../errors/index.ts';
import type { Env } from '../config/index.ts';
import type { ObjectBackend } from './result-store.ts';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3Location {
  readonly bucket: string;
  /** Empty, or ends with '/'. */
  readonly prefix: string;
}

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  const bucket = match?.[1];
  if (!match || bucket === undefined || !BUCKET.test(bucket)) {
    throw new ConfigError('BATON_RESULTS_URL', `must be s3://bucket/prefix with a valid bucket name, got "${url}"`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '.' || part === '..')) {
    throw new ConfigError('BATON_RESULTS_URL', `the prefix may not contain "." or ".." segments, got "${url}"`);
  }
  return { bucket, prefix: prefix ? `${prefix}/` : '' };
}

/**
 * The client's settings from the environment. The SDK itself reads
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (an S3-compatible endpoint such as
 * moto or MinIO); such endpoints are addressed path-style, because
 * `bucket.127.0.0.1` does not resolve.
 */
export function s3ClientConfig(env: Env): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim();
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
}

export class S3Backend implements ObjectBackend {
  readonly url: string;

  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
  ) {
    this.url = `s3://${location.bucket}/${location.prefix}`.replace(/\/$/, '');
  }

  private keyOf(key: string): string {
    return `${this.location.prefix}${key}`;
  }

  async write(key: string, bytes: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.keyOf(key),
        Body: bytes,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
      if (!response.Body) return Buffer.alloc(0);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
