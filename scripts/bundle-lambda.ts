/**
 * Bundles Lambda handlers the way serverless.yml's custom.esbuild does for
 * the zip functions (ESM, .mjs, a require() shim), for the functions shipped
 * in the executors image (functions/Dockerfile), whose isolated-vm is native:
 *   node --import tsx scripts/bundle-lambda.ts dist code-executor db-connector
 * writes dist/code-executor.mjs and dist/db-connector.mjs (handler
 * `code-executor.handler`, ...). The packages in EXTERNAL stay out of the
 * bundles and are installed next to them by the image, built for the runtime.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * Packages the image installs for the runtime (scripts/bundle-lambda.ts leaves them out): isolated-vm is
 * native; pyodide is read as files (its wasm, scripts and standard library), never imported.
 */
export const EXTERNAL = ['isolated-vm', 'pyodide'];

export async function bundleLambda(name: string, outDir: string): Promise<string> {
  const entry = resolve(import.meta.dirname, '..', 'functions', name, 'handler.ts');
  if (!existsSync(entry)) throw new Error(`no handler at ${entry}`);
  const outfile = join(resolve(outDir), `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    sourcemap: true,
    external: EXTERNAL,
    banner: {
      js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [outDir, ...names] = process.argv.slice(2);
  if (!outDir || names.length === 0) {
    console.error('usage: bundle-lambda.ts OUT_DIR FUNCTION...');
    process.exit(2);
  }
  for (const name of names) console.error(`bundled ${await bundleLambda(name, outDir)}`);
}
