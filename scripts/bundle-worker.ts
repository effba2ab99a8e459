/**
 * Builds the worker's deployable artefact: ESM from worker/main.ts, with
 * @temporalio/core-bridge (the SDK's native core) as its one external
 * package, and the SDK's webpack workflow bundler left out (the image runs
 * a prebuilt workflow bundle). test/architecture checks this graph.
 *   node --import tsx scripts/bundle-worker.ts dist
 * writes dist/worker.mjs, dist/failure-converter.mjs (the SDK require()s the
 * failure converter by path on the worker's main thread),
 * dist/workflow-worker-thread.mjs (the SDK runs workflows in worker threads
 * started from a file), the chunks they share (one copy of the SDK, so one
 * set of its classes), source maps, and the files bundled packages read
 * beside themselves (SIDE_FILES).
 */
import { copyFile, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
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

const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@temporalio/worker'));
/** The SDK starts its workflow threads from this file (lib/workflow/threaded-vm.js, by require.resolve). */
const WORKFLOW_WORKER_THREAD = sdkRequire.resolve('./workflow/workflow-worker-thread');

/**
 * The SDK's `new Worker(require.resolve('./workflow-worker-thread'))`, pointed
 * at the thread's entry in the artefact: the banner's require resolves beside
 * the chunk that holds threaded-vm.js, which is dist/ itself.
 */
const workflowThreadEntry: Plugin = {
  name: 'workflow-thread-entry',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]@temporalio[\\/]worker[\\/]lib[\\/]workflow[\\/]threaded-vm\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      const call = "require.resolve('./workflow-worker-thread')";
      if (!code.includes(call)) throw new Error(`${args.path} no longer starts its threads with ${call}: scripts/bundle-worker.ts needs a look`);
      return { contents: code.replace(call, "require.resolve('./workflow-worker-thread.mjs')"), loader: 'js' };
    });
  },
};

/** The failure converter's module in the artefact, relative to the module that names it (all of dist/ is one folder). */
const BUNDLED_FAILURE_CONVERTER = './failure-converter.mjs';

/** Without outDir: the same build, unwritten (its metafile is what test/architecture reads). */
export function workerBuildOptions(outDir?: string): BuildOptions {
  return {
    entryPoints: {
      worker: resolve(import.meta.dirname, '..', 'worker', 'main.ts'),
      'failure-converter': resolve(import.meta.dirname, '..', 'shared', 'codec', 'failure-converter.ts'),
      'workflow-worker-thread': WORKFLOW_WORKER_THREAD,
    },
    bundle: true,
    splitting: true,
    // Flat, beside the entries: a chunk finds ./failure-converter.mjs and ./workflow-worker-thread.mjs as an entry does.
    chunkNames: 'chunk-[hash]',
    define: { BATON_BUNDLED_FAILURE_CONVERTER: JSON.stringify(BUNDLED_FAILURE_CONVERTER) },
    platform: 'node',
    target: 'node24',
    format: 'esm',
    sourcemap: true,
    external: WORKER_EXTERNAL,
    plugins: [withoutWorkflowBundler, workflowThreadEntry],
    // Bundled CommonJS still calls require() for Node built-ins and reads files beside itself
    // (__dirname); an ESM file has neither of its own, so each output file gets its own.
    banner: {
      js: [
        "import { createRequire as __batonCreateRequire } from 'node:module';",
        "import { fileURLToPath as __batonFileURLToPath } from 'node:url';",
        "import { dirname as __batonDirname } from 'node:path';",
        'const require = __batonCreateRequire(import.meta.url);',
        'const __filename = __batonFileURLToPath(import.meta.url);',
        'const __dirname = __batonDirname(__filename);',
      ].join(' '),
    },
    outExtension: { '.js': '.mjs' },
    outdir: resolve(outDir ?? 'dist'),
    write: outDir !== undefined,
    logLevel: 'warning',
  };
}

/**
 * Files bundled packages read beside their own module at run time, copied next
 * to the chunks: source-map's WebAssembly, which the SDK's workflow threads
 * load (lib/read-wasm.js, `path.join(__dirname, 'mappings.wasm')`) to map
 * workflow stack traces through the bundle's source map.
 */
const SIDE_FILES = [createRequire(sdkRequire.resolve('./workflow/vm-shared')).resolve('source-map/lib/mappings.wasm')];

/** Writes the artefact into outDir; returns the entry's path. */
export async function bundleWorker(outDir: string): Promise<string> {
  await build(workerBuildOptions(outDir));
  for (const file of SIDE_FILES) await copyFile(file, join(resolve(outDir), basename(file)));
  return join(resolve(outDir), 'worker.mjs');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: bundle-worker.ts OUT_DIR');
    process.exit(2);
  }
  console.error(`bundled ${await bundleWorker(outDir)}`);
}
