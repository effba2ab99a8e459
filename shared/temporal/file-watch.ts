/**
 * Polls files for a change of content. Polling, not fs.watch: certificate
 * rotation often replaces files by renaming (Kubernetes secret volumes swap a
 * symlink), which inotify watches on the old inode never report.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

export interface FileWatch {
  stop(): void;
}

async function digestOf(paths: readonly string[]): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for (const path of paths) hash.update(await readFile(path)).update('\0');
  } catch {
    return undefined; // mid-rotation (a file briefly missing): look again next time
  }
  return hash.digest('hex');
}

/**
 * Calls `apply` when the files' contents differ from what was last applied.
 * `apply` resolves true once the new contents are in use; false (or a throw)
 * keeps the old ones and tries again on the next change or tick, which covers
 * a rotation caught halfway (new certificate, old key).
 */
export function watchFileContents(paths: readonly string[], intervalMs: number, apply: () => Promise<boolean>): FileWatch {
  const initial = createHash('sha256');
  for (const path of paths) initial.update(readFileSync(path)).update('\0');
  let applied = initial.digest('hex');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    const digest = await digestOf(paths);
    if (!stopped && digest !== undefined && digest !== applied) {
      const ok = await apply().catch(() => false);
      if (ok) applied = digest;
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
