/**
 * Versions and releases on both store backends (a directory, and S3 against
 * the run's moto server, which honours If-None-Match: * on PutObject): numbering,
 * one version per content, releases back and forward, and publishes at the same moment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyRing, generateKey } from '../../../../shared/codec/key-ring.ts';
import { compileDefinition, parseDefinition } from '../../../../shared/definition/index.ts';
import { openResultStore, s3ClientConfig } from '../../../../shared/store/index.ts';
import { bootstrapVersions, versionRegistry, VersionStore } from '../../../../shared/versions/index.ts';
import { useMotoInProcessEnv } from '../../../support/aws-env.ts';
import { rejection } from '../../../support/rejection.ts';
import { mkdirSync, writeFileSync } from 'node:fs';

const ring = createKeyRing([['k1', Buffer.from(generateKey(), 'base64')]]);

const compiled = (name: string, value: number) =>
  compileDefinition(parseDefinition(`name: ${name}\nblocks:\n  - {id: a, type: code, code: "return ${value}"}\n`, `${name}.yaml`));

interface Location {
  create(): Promise<string>;
  cleanup(): Promise<void>;
}

const fileLocation = (): Location => {
  let dir = '';
  return {
    async create() {
      dir = await mkdtemp(join(tmpdir(), 'baton-versions-'));
      return pathToFileURL(dir).href;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};

const s3Location = (): Location => {
  const bucket = `baton-versions-${Math.random().toString(36).slice(2, 10)}`;
  let client: S3Client | undefined;
  return {
    async create() {
      if (!client) {
        client = new S3Client(s3ClientConfig(useMotoInProcessEnv()));
        await client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      }
      return `s3://${bucket}/t-${Math.random().toString(36).slice(2, 10)}`;
    },
    cleanup: () => Promise.resolve(),
  };
};

describe.each([
  ['file', fileLocation()],
  ['s3', s3Location()],
] as const)('versions on the %s store', (_name, location) => {
  let url: string;
  let versions: VersionStore;

  beforeEach(async () => {
    url = await location.create();
    versions = new VersionStore(openResultStore(url, ring));
  });
  afterEach(() => location.cleanup());

  it('numbers new contents 1, 2, 3, keeps who and why, and gives the same content its version again', async () => {
    const one = await versions.publish(compiled('orders', 1), { by: 'alice', message: 'first' });
    expect(one).toMatchObject({ name: 'orders', version: 1, created: true, released: true });
    const two = await versions.publish(compiled('orders', 2), { by: 'bob' });
    expect(two).toMatchObject({ version: 2, created: true, released: true });
    const again = await versions.publish(compiled('orders', 2), { by: 'carol' });
    expect(again).toEqual({ ...two, created: false, released: false });
    const listed = await versions.versions('orders');
    expect(listed.map((v) => [v.version, v.publishedBy, v.message])).toEqual([
      [1, 'alice', 'first'],
      [2, 'bob', undefined],
    ]);
    expect(Date.parse(listed[0]!.publishedAt)).not.toBeNaN();
    expect((await versions.released('orders'))?.version).toBe(2);
    expect(await versions.names()).toEqual(['orders']);
  });

  it('releases back and forward through the log, refuses a version that does not exist, and a publish with release: false changes nothing live', async () => {
    await versions.publish(compiled('orders', 1), { by: 'alice' });
    await versions.publish(compiled('orders', 2), { by: 'alice' });
    const back = await versions.release('orders', 1, 'bob');
    expect(back).toMatchObject({ release: 3, version: 1, releasedBy: 'bob' });
    expect((await versions.released('orders'))?.version).toBe(1);
    const registry = versionRegistry(versions);
    expect((await registry.find('orders'))?.plan.version).toBe(1);

    const staged = await versions.publish(compiled('orders', 3), { by: 'alice', release: false });
    expect(staged).toMatchObject({ version: 3, created: true, released: false });
    expect((await versions.released('orders'))?.version).toBe(1);

    // Publishing content that is an older version makes that version live again.
    expect(await versions.publish(compiled('orders', 2), { by: 'carol' })).toMatchObject({ version: 2, created: false, released: true });
    expect((await registry.find('orders'))?.plan.version).toBe(2);
    expect((await versions.releases('orders')).map((r) => r.version)).toEqual([1, 2, 1, 2]);

    const missing = await rejection(versions.release('orders', 9, 'bob'));
    expect(missing.name).toBe('VersionError');
    expect(missing.message).toBe('workflow "orders" has no version 9');
    expect(await registry.find('nothing')).toBeUndefined();
    expect(await registry.find('Not A Name')).toBeUndefined();
  });

  it('10 different contents published at once get versions 1..10, none lost; 10 identical at once get one version', async () => {
    // Separate VersionStores: separate processes, sharing nothing but the store.
    const publishers = () => new VersionStore(openResultStore(url, ring));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => publishers().publish(compiled('orders', i), { by: `key-${i}` })));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(results.every((r) => r.created)).toBe(true);
    const stored = await versions.versions('orders');
    expect(stored).toHaveLength(10);
    expect(new Set(stored.map((v) => v.hash)).size).toBe(10);
    // Each publisher got the version that holds its own content.
    for (const result of results) expect(stored.find((v) => v.version === result.version)?.hash).toBe(result.hash);
    // Every publish released its version: ten entries, the released one is one of them.
    const releases = await versions.releases('orders');
    expect(releases.map((r) => r.release)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await versions.released('orders'))?.version).toBe(releases.at(-1)?.version);

    const same = await Promise.all(Array.from({ length: 10 }, () => publishers().publish(compiled('billing', 42), { by: 'ci' })));
    expect(new Set(same.map((r) => r.version))).toEqual(new Set([1]));
    expect(same.filter((r) => r.created)).toHaveLength(1);
    expect(await versions.versions('billing')).toHaveLength(1);
  });

  it('bootstraps from a directory: publishes new content, leaves known content (and a rollback) alone, skips a broken file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-bootstrap-'));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'orders.yaml'), 'name: orders\nblocks:\n  - {id: a, type: code, code: "return 1"}\n');
      writeFileSync(join(dir, 'broken.yaml'), 'name: broken\nblocks: 3\n');
      const first = await bootstrapVersions(versions, dir);
      expect(first.published).toEqual(['orders@1']);
      expect(first.broken).toEqual([expect.stringMatching(/^broken\.yaml: \d+ error/)]);
      writeFileSync(join(dir, 'orders.yaml'), 'name: orders\nblocks:\n  - {id: a, type: code, code: "return 2"}\n');
      expect((await bootstrapVersions(versions, dir)).published).toEqual(['orders@2']);
      await versions.release('orders', 1, 'alice');
      const again = await bootstrapVersions(versions, dir);
      expect(again).toMatchObject({ published: [], unchanged: ['orders@2'] });
      expect((await versions.released('orders'))?.version).toBe(1);
      expect((await versions.version('orders', 2))?.publishedBy).toBe('bootstrap');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
