import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyRing, generateKey, type KeyRing } from '../../../../shared/codec/key-ring.ts';
import { ConfigError, StoreError } from '../../../../shared/errors.ts';
import { openResultStore, storeKeys, type ResultStore } from '../../../../shared/store/index.ts';

const MARKER = 'PLAINTEXT-MARKER-store-9c1';
const newRing = (kid = 'k1'): KeyRing => createKeyRing([[kid, Buffer.from(generateKey(), 'base64')]]);

let dir: string;
let ring: KeyRing;
let store: ResultStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-store-test-'));
  ring = newRing();
  store = openResultStore(pathToFileURL(dir).href, ring);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a rejection, got none');
}

describe('ResultStore on the file backend', () => {
  it('round-trips JSON and reports the uncompressed size', async () => {
    const key = storeKeys.block('run-1', 'orders');
    const value = { secret: MARKER, rows: [{ id: 1 }, { id: 2 }], nested: { ok: true } };
    const put = await store.putJson(key, value);
    expect(put).toEqual({ key, bytes: Buffer.byteLength(JSON.stringify(value)) });
    expect(await store.getJson(key)).toEqual(value);
    expect(await store.requireJson(key)).toEqual(value);
    expect(store.url).toBe(`file://${dir}`);
  });

  it('stores undefined as null and overwrites an existing key', async () => {
    const key = storeKeys.output('run-1');
    await store.putJson(key, undefined);
    expect(await store.getJson(key)).toBeNull();
    await store.putJson(key, [1, 2]);
    expect(await store.getJson(key)).toEqual([1, 2]);
    const files = await readdir(join(dir, 'runs', 'run-1'));
    expect(files).toEqual(['output.bin']); // no temp files left behind
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

  it('keeps no plaintext on disk', async () => {
    const key = storeKeys.trigger('run-2');
    await store.putJson(key, { secret: MARKER, again: MARKER });
    const bytes = await readFile(join(dir, `${key}.bin`));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
    expect(bytes.toString('latin1')).not.toContain('secret');
  });

  it('refuses an object copied to another key (the key is bound as additional data)', async () => {
    const source = storeKeys.block('run-3', 'a');
    const target = storeKeys.block('run-3', 'b');
    await store.putJson(source, { secret: MARKER });
    await mkdir(dirname(join(dir, `${target}.bin`)), { recursive: true });
    await copyFile(join(dir, `${source}.bin`), join(dir, `${target}.bin`));
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
    const sameKid = openResultStore(pathToFileURL(dir).href, newRing('k1'));
    const sameKidError = await rejection(sameKid.getJson(key));
    expect(sameKidError).toBeInstanceOf(StoreError);
    expect(sameKidError.message).toMatch(/authentication/);
    const otherKid = openResultStore(pathToFileURL(dir).href, newRing('k2'));
    const otherKidError = await rejection(otherKid.getJson(key));
    expect(otherKidError).toBeInstanceOf(StoreError);
    expect(otherKidError.message).toMatch(/"k1".*not in the key ring/);
  });

  it('reports a read failure as a StoreError naming the key', async () => {
    const key = storeKeys.block('run-5', 'a');
    await mkdir(join(dir, `${key}.bin`), { recursive: true }); // a directory where the object should be
    const error = await rejection(store.getJson(key));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(new RegExp(`^result store ${key}: read failed`));
  });
});

describe('openResultStore', () => {
  it('refuses s3:// (not built yet) and unknown schemes as ConfigError', () => {
    expect(() => openResultStore('s3://bucket/prefix', ring)).toThrow(/not built yet/);
    expect(() => openResultStore('ftp://x', ring)).toThrow(ConfigError);
    expect(() => openResultStore('/tmp/dir', ring)).toThrow(/BATON_RESULTS_URL/);
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
  });

  it.each(['..', '.', '', '/', 'a/b', '../x', 'a b', 'a\\b', 'x'.repeat(201)])('rejects the segment %j', (bad) => {
    expect(() => storeKeys.trigger(bad)).toThrow(/invalid run id/);
    expect(() => storeKeys.block('r1', bad)).toThrow(/invalid block id/);
    expect(() => storeKeys.logs(bad, 'b')).toThrow(/invalid run id/);
    expect(() => storeKeys.definition(bad)).toThrow(/invalid definition hash/);
  });
});
