/**
 * `s3://bucket/prefix`: the result store in AWS. Objects are written whole
 * (PutObject is atomic: a reader sees the old object or the new one, never
 * half of either), so no temp-and-rename dance is needed here. An atomic
 * create is a conditional PutObject (`If-None-Match: *`): S3 answers 412 when
 * the key exists, and 409 while another conditional write of the key is in
 * flight, which is tried again.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError } from '../errors/index.ts';
import type { Env } from '../config/index.ts';
import type { ObjectBackend } from './result-store.ts';

/** A conditional write that meets another in flight (409) is tried this many times. */
const CONFLICT_ATTEMPTS = 8;

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

  /** One PutObject of an object's bytes; `IfNoneMatch: '*'` makes it a create that fails on a taken key. */
  private put(key: string, bytes: Buffer, condition: { readonly IfNoneMatch?: string } = {}) {
    return this.client.send(
      new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.keyOf(key),
        Body: bytes,
        ContentType: 'application/octet-stream',
        ...condition,
      }),
    );
  }

  async write(key: string, bytes: Buffer): Promise<void> {
    await this.put(key, bytes);
  }

  async create(key: string, bytes: Buffer): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.put(key, bytes, { IfNoneMatch: '*' });
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412) return false;
        if (status === 409 && attempt < CONFLICT_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
          continue;
        }
        throw error;
      }
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = `${this.keyOf(prefix)}/`;
    const names = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: base, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) names.add(common.Prefix.slice(base.length, -1));
      for (const object of page.Contents ?? []) if (object.Key) names.add(object.Key.slice(base.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    names.delete('');
    return [...names].sort();
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
