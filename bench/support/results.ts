/** Where every benchmark writes its report: bench/results/, the figures the README quotes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Writes bench/results/<file> and returns its path. */
export function writeResult(file: string, text: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${file}`;
  writeFileSync(path, text);
  return path;
}
