/** `file://DIR`: the local result store. Writes go to a temp file and are renamed, so a reader never sees half an object. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ObjectBackend } from './result-store.ts';

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

  async write(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, path);
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
