/**
 * The same tests for both backends: the directory (file://) and S3 (s3://,
 * against the run's moto server). Each backend gives the few raw operations a
 * test needs to reach under the store: read the stored bytes, copy an object
 * to another key, and break reads of one key.
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyRing, generateKey, type KeyRing } from '../../../../shared/codec/key-ring.ts';
import { ConfigError, StoreError } from '../../../../shared/errors/index.ts';
import { openResultStore, parseS3Url, s3ClientConfig, type ResultStore } from '../../../../shared/store/index.ts';
import { useMotoInProcessEnv } from '../../../support/aws-env.ts';
import { rejection } from '../../../support/rejection.ts';
import { storeKeys } from '../../../../shared/contract/index.ts';

const MARKER = 'PLAINTEXT-MARKER-store-9c1';
const newRing = (kid = 'k1'): KeyRing => createKeyRing([[kid, Buffer.from(generateKey(), 'base64')]]);


/** One backend under test: where its store lives, and raw access beneath the store. */
interface BackendFixture {
  /** A fresh, empty store location. */
  create(): Promise<string>;
  cleanup(): Promise<void>;
  rawBytes(key: string): Promise<Buffer>;
  copyRaw(from: string, to: string): Promise<void>;
  /** The keys stored under the location, as the store names them. */
  listKeys(): Promise<string[]>;
  /** A location whose reads fail below the store (not "not found"). */
  brokenUrl(key: string): Promise<string>;
}

function fileFixture(): BackendFixture {
  let dir = '';
  const pathOf = (key: string) => join(dir, `${key}.bin`);
  async function walk(at: string, prefix = ''): Promise<string[]> {
    const entries = await readdir(at, { withFileTypes: true });
    const nested = await Promise.all(
      entries.map((entry) =>
        entry.isDirectory() ? walk(join(at, entry.name), `${prefix}${entry.name}/`) : Promise.resolve([`${prefix}${entry.name}`]),
      ),
    );
    return nested.flat();
  }
  return {
    async create() {
      dir = await mkdtemp(join(tmpdir(), 'baton-store-test-'));
      return pathToFileURL(dir).href;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
    rawBytes: (key) => readFile(pathOf(key)),
    async copyRaw(from, to) {
      await mkdir(dirname(pathOf(to)), { recursive: true });
      await copyFile(pathOf(from), pathOf(to));
    },
    async listKeys() {
      return (await walk(dir)).map((name) => name.replace(/\.bin$/, ''));
    },
    async brokenUrl(key) {
      await mkdir(pathOf(key), { recursive: true }); // a directory where the object should be
      return pathToFileURL(dir).href;
    },
  };
}

function s3Fixture(): BackendFixture {
  const bucket = `baton-store-${Math.random().toString(36).slice(2, 10)}`;
  let client: S3Client;
  let prefix = '';
  return {
    async create() {
      client ??= new S3Client(s3ClientConfig(useMotoInProcessEnv()));
      if (!prefix) await client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      prefix = `tests/${Math.random().toString(36).slice(2, 10)}`;
      return `s3://${bucket}/${prefix}`;
    },
    async cleanup() {},
    async rawBytes(key) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}` }));
      return Buffer.from(await response.Body!.transformToByteArray());
    },
    async copyRaw(from, to) {
      await client.send(new CopyObjectCommand({ Bucket: bucket, CopySource: `${bucket}/${prefix}/${from}`, Key: `${prefix}/${to}` }));
    },
    async listKeys() {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
      return (listed.Contents ?? []).map((object) => object.Key!.slice(prefix.length + 1));
    },
    // A bucket that does not exist: S3 answers NoSuchBucket, which is a failure, not a missing object.
    brokenUrl: () => Promise.resolve(`s3://no-such-bucket-${Math.random().toString(36).slice(2, 10)}/${prefix}`),
  };
}

describe.each([
  ['file', fileFixture()],
  ['s3', s3Fixture()],
] as const)('ResultStore on the %s backend', (_name, fixture) => {
  let url: string;
  let ring: KeyRing;
  let store: ResultStore;

  beforeEach(async () => {
    url = await fixture.create();
    ring = newRing();
    store = openResultStore(url, ring);
  });
  afterEach(() => fixture.cleanup());

  it('round-trips JSON and reports the uncompressed size', async () => {
    const key = storeKeys.block('run-1', 'orders');
    const value = { secret: MARKER, rows: [{ id: 1 }, { id: 2 }], nested: { ok: true } };
    const put = await store.putJson(key, value);
    expect(put).toEqual({ key, bytes: Buffer.byteLength(JSON.stringify(value)) });
    expect(await store.getJson(key)).toEqual(value);
    expect(await store.requireJson(key)).toEqual(value);
    expect(store.url).toBe(url);
  });

  it('stores undefined as null and overwrites an existing key, leaving one object', async () => {
    const key = storeKeys.output('run-1');
    await store.putJson(key, undefined);
    expect(await store.getJson(key)).toBeNull();
    await store.putJson(key, [1, 2]);
    expect(await store.getJson(key)).toEqual([1, 2]);
    expect(await fixture.listKeys()).toEqual([key]); // no temp objects left behind
  });

  it('gives undefined for a missing key, and requireJson throws a StoreError naming it', async () => {
    const key = storeKeys.trigger('no-such-run');
    expect(await store.getJson(key)).toBeUndefined();
    const error = await rejection(store.requireJson(key));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).key).toBe(key);
    expect(error.message).toContain(key);
    expect(error.message).toMatch(/not found/);
  });

  it('creates an object only when its key is free, and of 10 creates of one key at once exactly one wins, whole', async () => {
    const key = storeKeys.workflowVersion('orders', 1);
    expect(await store.createJson(key, { first: true })).toBe(true);
    expect(await store.createJson(key, { second: true })).toBe(false);
    expect(await store.getJson(key)).toEqual({ first: true });

    const raced = storeKeys.workflowRelease('orders', 1);
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => store.createJson(raced, { writer: i, pad: 'x'.repeat(1000) })));
    const winners = outcomes.flatMap((won, i) => (won ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await store.getJson(raced)).toEqual({ writer: winners[0], pad: 'x'.repeat(1000) });
    expect((await fixture.listKeys()).sort()).toEqual([key, raced].sort()); // no temp objects left behind
  });

  it('lists the names directly under a prefix: objects and sub-prefixes, each once, and nothing for an unknown prefix', async () => {
    await store.putJson(storeKeys.workflowVersion('orders', 1), 1);
    await store.putJson(storeKeys.workflowVersion('orders', 2), 2);
    await store.putJson(storeKeys.workflowRelease('orders', 1), 1);
    await store.putJson(storeKeys.workflowVersion('billing', 1), 1);
    expect(await store.list('workflows')).toEqual(['billing', 'orders']);
    expect(await store.list('workflows/orders')).toEqual(['releases', 'versions']);
    expect(await store.list(storeKeys.workflowVersions('orders'))).toEqual(['1', '2']);
    expect(await store.list(storeKeys.workflowVersions('nothing'))).toEqual([]);
  });

  it('keeps no plaintext in the stored object', async () => {
    const key = storeKeys.trigger('run-2');
    await store.putJson(key, { secret: MARKER, again: MARKER });
    const bytes = await fixture.rawBytes(key);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
    expect(bytes.toString('latin1')).not.toContain('secret');
  });

  it('refuses an object copied to another key (the key is bound as additional data)', async () => {
    const source = storeKeys.block('run-3', 'a');
    const target = storeKeys.block('run-3', 'b');
    await store.putJson(source, { secret: MARKER });
    await fixture.copyRaw(source, target);
    const error = await rejection(store.getJson(target));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).key).toBe(target);
    expect(error.message).toMatch(/authentication/);
    expect(error.message).not.toContain(MARKER);
    expect(await store.getJson(source)).toEqual({ secret: MARKER });
  });

  it('cannot be read with a different key ring, even under the same key id', async () => {
    const key = storeKeys.logs('run-4', 'a');
    await store.putJson(key, { secret: MARKER });
    const sameKid = openResultStore(url, newRing('k1'));
    const sameKidError = await rejection(sameKid.getJson(key));
    expect(sameKidError).toBeInstanceOf(StoreError);
    expect(sameKidError.message).toMatch(/authentication/);
    const otherKid = openResultStore(url, newRing('k2'));
    const otherKidError = await rejection(otherKid.getJson(key));
    expect(otherKidError).toBeInstanceOf(StoreError);
    expect(otherKidError.message).toMatch(/"k1".*not in the key ring/);
  });

  it('reports a read failure as a StoreError naming the key', async () => {
    const key = storeKeys.block('run-5', 'a');
    const broken = openResultStore(await fixture.brokenUrl(key), ring);
    const error = await rejection(broken.getJson(key));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(new RegExp(`^result store ${key}: read failed`));
  });
});

describe('openResultStore', () => {
  const ring = newRing();

  it('refuses unknown schemes and malformed s3 URLs as a ConfigError naming BATON_RESULTS_URL', () => {
    expect(() => openResultStore('ftp://x', ring)).toThrow(ConfigError);
    expect(() => openResultStore('/tmp/dir', ring)).toThrow(/BATON_RESULTS_URL/);
    expect(() => openResultStore('s3://', ring)).toThrow(/BATON_RESULTS_URL: must be s3:\/\/bucket\/prefix/);
    expect(() => openResultStore('s3://Bad_Bucket/x', ring)).toThrow(ConfigError);
    expect(() => openResultStore('s3://bucket/a/../b', ring)).toThrow(/"\." or "\.\." segments/);
  });

  it('reads bucket and prefix from s3 URLs', () => {
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/results')).toEqual({ bucket: 'my-bucket', prefix: 'results/' });
    expect(parseS3Url('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b/' });
    expect(openResultStore('s3://my-bucket/results/', ring).url).toBe('s3://my-bucket/results');
  });

  it('points the S3 client at an S3-compatible endpoint, path-style, when AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL is set', () => {
    expect(s3ClientConfig({})).toEqual({});
    expect(s3ClientConfig({ AWS_REGION: 'eu-central-1' })).toEqual({ region: 'eu-central-1' });
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2' })).toEqual({
      endpoint: 'http://b:2',
      forcePathStyle: true,
    });
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: 'http://a:1' })).toEqual({ endpoint: 'http://a:1', forcePathStyle: true });
  });
});

describe('storeKeys', () => {
  it('builds the documented keys', () => {
    expect(storeKeys.trigger('r1')).toBe('runs/r1/trigger');
    expect(storeKeys.block('r1', 'orders')).toBe('runs/r1/blocks/orders');
    expect(storeKeys.loopItem('r1', 'each', 3.7)).toBe('runs/r1/blocks/each/3');
    expect(storeKeys.logs('r1', 'orders')).toBe('runs/r1/logs/orders');
    expect(storeKeys.output('r1')).toBe('runs/r1/output');
    expect(storeKeys.definition('abc123')).toBe('definitions/abc123');
    expect(storeKeys.workflowVersion('orders', 3)).toBe('workflows/orders/versions/3');
    expect(storeKeys.workflowRelease('orders', 12)).toBe('workflows/orders/releases/12');
    expect(() => storeKeys.workflowVersion('orders', 0)).toThrow(/invalid version/);
    expect(() => storeKeys.workflowVersion('orders', 1.5)).toThrow(/invalid version/);
    expect(() => storeKeys.workflowVersion('../x', 1)).toThrow(/invalid workflow name/);
  });

  it.each(['..', '.', '', '/', 'a/b', '../x', 'a b', 'a\\b', 'x'.repeat(201)])('rejects the segment %j', (bad) => {
    expect(() => storeKeys.trigger(bad)).toThrow(/invalid run id/);
    expect(() => storeKeys.block('r1', bad)).toThrow(/invalid block id/);
    expect(() => storeKeys.logs(bad, 'b')).toThrow(/invalid run id/);
    expect(() => storeKeys.definition(bad)).toThrow(/invalid definition hash/);
  });
});
