/**
 * Where the interpreter's memory snapshot is kept between processes: a
 * cold boot takes seconds, a snapshot boot a fraction of one, so a
 * container makes it once (or finds the one its image was built with) and
 * every fresh interpreter starts from it. The file is named by the assets'
 * fingerprint, so a changed Pyodide, runner or memory cap never loads a
 * stale one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function defaultSnapshotDir(): string {
  return join(tmpdir(), 'baton-python');
}

export function snapshotPath(dir: string, fingerprint: string): string {
  return join(dir, `pyodide-${fingerprint}.snapshot`);
}

export function readSnapshot(dir: string, fingerprint: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(snapshotPath(dir, fingerprint)));
  } catch {
    return undefined;
  }
}

/** Writes it whole or not at all (a rename), so a reader never sees half a snapshot; a read-only place is not an error. */
export function writeSnapshot(dir: string, fingerprint: string, snapshot: Uint8Array): boolean {
  const path = snapshotPath(dir, fingerprint);
  const partial = `${path}.${process.pid}.partial`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(partial, snapshot, { mode: 0o600 });
    renameSync(partial, path);
    return true;
  } catch {
    return false;
  }
}
