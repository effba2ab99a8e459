/**
 * Builds the worker's deployable artefact: one ESM file from worker/main.ts,
 * with @temporalio/core-bridge (the SDK's native core) as its one external
 * package, and the SDK's webpack workflow bundler left out (the image runs
 * a prebuilt workflow bundle). test/architecture checks this graph.
 *   node --import tsx scripts/bundle-worker.ts dist
 * writes dist/worker.mjs (and its source map).
 */
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** Packages the artefact loads from node_modules at run time. */
export const WORKER_EXTERNAL = ['@temporalio/core-bridge'];

const NO_WORKFLOW_BUNDLER = resolve(import.meta.dirname, 'bundle-worker', 'no-workflow-bundler.ts');

/** Resolves the SDK's `./workflow/bundler` (from its index and its Worker) to the stand-in. */
const withoutWorkflowBundler: Plugin = {
  name: 'without-workflow-bundler',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/workflow\/bundler$/ }, (args) =>
      /[\\/]@temporalio[\\/]worker[\\/]lib$/.test(args.resolveDir) ? { path: NO_WORKFLOW_BUNDLER } : undefined,
    );
  },
};

export function workerBuildOptions(outDir?: string): BuildOptions {
  return {
    entryPoints: { worker: resolve(import.meta.dirname, '..', 'worker', 'main.ts') },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    sourcemap: true,
    external: WORKER_EXTERNAL,
    plugins: [withoutWorkflowBundler],
    // Bundled CommonJS still calls require() for Node built-ins; an ESM bundle has none of its own.
    banner: {
      js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
    },
    outExtension: { '.js': '.mjs' },
    ...(outDir ? { outdir: resolve(outDir) } : { write: false }),
    logLevel: 'warning',
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: bundle-worker.ts OUT_DIR');
    process.exit(2);
  }
  await build(workerBuildOptions(outDir));
  console.error(`bundled ${join(resolve(outDir), 'worker.mjs')}`);
}
