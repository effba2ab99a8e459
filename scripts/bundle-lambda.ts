/**
 * Bundles one Lambda function's handler the way serverless.yml's
 * custom.esbuild does for the zip functions (ESM, .mjs, a require() shim),
 * for the functions shipped as container images (the code-executor, whose
 * isolated-vm is native):
 *   node --import tsx scripts/bundle-lambda.ts code-executor dist
 * writes dist/handler.mjs. Native and run-time-resolved packages stay
 * external and are installed next to the bundle by the image.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const EXTERNAL = ['isolated-vm', 'esbuild'];

export async function bundleLambda(name: string, outDir: string): Promise<string> {
  const entry = resolve(import.meta.dirname, '..', 'functions', name, 'handler.ts');
  if (!existsSync(entry)) throw new Error(`no handler at ${entry}`);
  const outfile = join(resolve(outDir), 'handler.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
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
  const [name, outDir] = process.argv.slice(2);
  if (!name || !outDir) {
    console.error('usage: bundle-lambda.ts FUNCTION OUT_DIR');
    process.exit(2);
  }
  console.error(`bundled ${await bundleLambda(name, outDir)}`);
}
