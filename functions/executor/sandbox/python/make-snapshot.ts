/**
 * Makes the Python interpreter's memory snapshot ahead, so containers start
 * from it instead of a cold boot (seconds): the executors image runs this
 * at build time and points BATON_PYTHON_SNAPSHOT_DIR at the result.
 *   node --no-node-snapshot make-snapshot.mjs DIR [MEMORY_MB]
 * The snapshot is named by its fingerprint (Pyodide, the runner, the memory
 * cap), so a runtime with other settings makes its own rather than load it.
 */
import { resolve } from 'node:path';
import { PythonSandbox } from './python-sandbox.ts';

export async function makeSnapshot(dir: string, memoryMb?: number): Promise<void> {
  const sandbox = new PythonSandbox({ snapshotDir: dir, poolSize: 0, ...(memoryMb !== undefined ? { memoryMb } : {}) });
  try {
    const result = await sandbox.run({ code: 'return sum(range(10))', scope: {}, timeoutMs: 60_000, maxResultBytes: 1000 });
    if (!result.ok || result.json !== '45') throw new Error(`the snapshot does not run Python: ${JSON.stringify(result)}`);
  } finally {
    sandbox.dispose();
  }
}

if (process.argv[1] && /make-snapshot\.(ts|mjs)$/.test(process.argv[1])) {
  const [dir, memory] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: make-snapshot DIR [MEMORY_MB]');
    process.exit(2);
  }
  await makeSnapshot(resolve(dir), memory === undefined ? undefined : Number(memory));
  console.error(`made the Python snapshot in ${resolve(dir)}`);
}
