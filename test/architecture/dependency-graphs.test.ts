/**
 * What each deployable's dependency graph may hold, read from esbuild's
 * metafile of its entry point (the graph a bundler sees, type-only imports
 * erased). The worker never runs user code, so neither isolated-vm nor
 * esbuild may be reachable from it; the workflow bundle holds only the
 * interpreter, the run contract and the Temporal workflow SDK.
 */
import { join, relative } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { workerBuildOptions } from '../../scripts/bundle-worker.ts';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every file a build reads; packages are walked too (their own imports count), only Node's builtins stay out. */
async function inputsOf(entry: string, options: BuildOptions = { entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm' }): Promise<string[]> {
  const result = await build({ ...options, write: false, metafile: true, logLevel: 'silent' });
  return Object.keys((result.metafile as Metafile).inputs).map((path) => relative(ROOT, join(ROOT, path)));
}

/** The package a node_modules path belongs to (`@scope/name` or `name`). */
function packageOf(path: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1];
}

describe('the worker entry (worker/main.ts), built as scripts/bundle-worker.ts builds the image', () => {
  it('reaches neither isolated-vm nor esbuild, nor any executor code', async () => {
    const inputs = await inputsOf('worker/main.ts', workerBuildOptions());
    expect(inputs.length).toBeGreaterThan(100);
    const packages = new Set(inputs.map(packageOf).filter((name) => name !== undefined));
    expect(packages.has('@temporalio/worker')).toBe(true);
    expect([...packages].filter((name) => name === 'isolated-vm' || name === 'esbuild' || name.startsWith('@esbuild/'))).toEqual([]);
    expect(inputs.filter((path) => path.startsWith('functions/'))).toEqual([]);
  });
});

describe('the workflow bundle entry (worker/workflows/index.ts)', () => {
  it('holds only the interpreter, the run contract (without its zod schemas) and the Temporal workflow SDK', async () => {
    const inputs = await inputsOf('worker/workflows/index.ts');
    const own = inputs.filter((path) => packageOf(path) === undefined);
    expect(own).toContain('worker/workflows/baton-run.ts');
    expect(own.filter((path) => !path.startsWith('worker/workflows/') && !path.startsWith('shared/contract/'))).toEqual([]);
    expect(own.filter((path) => path.startsWith('shared/contract/schemas/'))).toEqual([]);
    // The packages the Temporal workflow SDK itself brings, and nothing more.
    const sdk = new Set((await inputsOf('node_modules/@temporalio/workflow/lib/index.js')).map(packageOf));
    const packages = new Set(inputs.map(packageOf).filter((name) => name !== undefined));
    expect(packages.has('@temporalio/workflow')).toBe(true);
    expect([...packages].filter((name) => !sdk.has(name))).toEqual([]);
  });
});

describe('every long-lived process entry', () => {
  // Each installs shared/log/last-resort.ts, so a bug outside a handler is logged and the process serves on.
  it.each(['worker/main.ts', 'local/lambda-main.ts', 'cli/main.ts'])('%s reaches the last-resort handler', async (entry) => {
    const inputs = await inputsOf(entry, { entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', packages: 'external' });
    expect(inputs).toContain('shared/log/last-resort.ts');
  });
});
