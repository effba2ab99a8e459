/**
 * The result store holds everything Temporal must not: trigger data, block
 * results, logs, outputs and definitions. Every object is JSON, gzipped, then
 * sealed with the key ring with its key as additional data, so an object
 * copied to another key fails to open instead of being read as the wrong thing.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { StoreError, errorMessage } from '../errors/index.ts';
import type { KeyRing } from '../codec/key-ring.ts';

/** Where the sealed bytes live: a directory locally, S3 in AWS. */
export interface ObjectBackend {
  readonly url: string;
  write(key: string, bytes: Buffer): Promise<void>;
  /** Resolves undefined when the object does not exist. */
  read(key: string): Promise<Buffer | undefined>;
}

export interface PutResult {
  key: string;
  /** Size of the JSON before compression and encryption. */
  bytes: number;
}

export class ResultStore {
  constructor(
    readonly backend: ObjectBackend,
    private readonly ring: KeyRing,
  ) {}

  get url(): string {
    return this.backend.url;
  }

  async putJson(key: string, value: unknown): Promise<PutResult> {
    const json = JSON.stringify(value === undefined ? null : value);
    const plain = Buffer.from(json, 'utf8');
    const sealed = this.ring.seal(gzipSync(plain, { level: 1 }), key);
    try {
      await this.backend.write(key, sealed);
    } catch (error) {
      throw new StoreError(key, `write failed: ${errorMessage(error)}`, { cause: error });
    }
    return { key, bytes: plain.length };
  }

  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    let sealed: Buffer | undefined;
    try {
      sealed = await this.backend.read(key);
    } catch (error) {
      throw new StoreError(key, `read failed: ${errorMessage(error)}`, { cause: error });
    }
    if (sealed === undefined) return undefined;
    try {
      return JSON.parse(gunzipSync(this.ring.open(sealed, key)).toString('utf8')) as T;
    } catch (error) {
      throw new StoreError(key, errorMessage(error), { cause: error });
    }
  }

  async requireJson<T = unknown>(key: string): Promise<T> {
    const value = await this.getJson<T>(key);
    if (value === undefined) throw new StoreError(key, 'object not found');
    return value;
  }
}
