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
  /**
   * Writes the object only if there is none under the key, atomically: of two
   * creates of one key at the same moment exactly one resolves true. False
   * when the key was taken; a reader never sees half an object.
   */
  create(key: string, bytes: Buffer): Promise<boolean>;
  /** The names directly under `prefix/` (objects and sub-prefixes alike, each once), sorted. */
  list(prefix: string): Promise<string[]>;
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

  /** putJson, but only when the key is free: false (and nothing written) when it is taken. */
  async createJson(key: string, value: unknown): Promise<boolean> {
    const json = JSON.stringify(value === undefined ? null : value);
    const sealed = this.ring.seal(gzipSync(Buffer.from(json, 'utf8'), { level: 1 }), key);
    try {
      return await this.backend.create(key, sealed);
    } catch (error) {
      throw new StoreError(key, `create failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** The names directly under a prefix (no trailing slash), sorted. */
  async list(prefix: string): Promise<string[]> {
    try {
      return await this.backend.list(prefix);
    } catch (error) {
      throw new StoreError(`${prefix}/`, `list failed: ${errorMessage(error)}`, { cause: error });
    }
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
