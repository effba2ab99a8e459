/**
 * `file://DIR`: the local result store. Writes go to a temp file and are
 * renamed, so a reader never sees half an object.
 *
 * Small objects (nearly all of them: block results, logs, triggers) are read
 * and written with the synchronous calls: on a local disk they take a few
 * microseconds, where each fs/promises call is a round trip through libuv's
 * thread pool (a readFile is four of them), which measured about 80 µs per
 * read and 140 µs per write on the 2-core benchmark machine and queued behind
 * each other under load. Large writes stay asynchronous so they do not hold
 * up the event loop.
 *
 * An atomic create writes a temp file and link(2)s it to the object's path:
 * link fails with EEXIST when the path is taken, on every local file system,
 * so of two creates of one key exactly one wins, and the winner's object is
 * whole the moment it appears.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { link, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ObjectBackend } from './result-store.ts';

/** Writes up to this size are synchronous. */
const SYNC_WRITE_MAX_BYTES = 256 * 1024;

export class FileBackend implements ObjectBackend {
  readonly url: string;
  private readonly root: string;
  private readonly madeDirs = new Set<string>();

  constructor(dir: string) {
    this.root = resolve(dir);
    this.url = `file://${this.root}`;
  }

  private pathOf(key: string): string {
    return join(this.root, `${key}.bin`);
  }

  private ensureDirOf(path: string): void {
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
  }

  async write(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    this.ensureDirOf(path);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    if (bytes.length <= SYNC_WRITE_MAX_BYTES) {
      writeFileSync(temp, bytes);
      renameSync(temp, path);
      return;
    }
    await writeFile(temp, bytes);
    await rename(temp, path);
  }

  async create(key: string, bytes: Buffer): Promise<boolean> {
    const path = this.pathOf(key);
    this.ensureDirOf(path);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, bytes);
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp);
    }
  }

  async list(prefix: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(join(this.root, prefix), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const names = new Set<string>();
    for (const entry of entries) {
      if (entry.isDirectory()) names.add(entry.name);
      else if (entry.name.endsWith('.bin')) names.add(entry.name.slice(0, -'.bin'.length));
    }
    return [...names].sort();
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return readFileSync(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
