/**
 * Builds the run viewer (ui/) into a directory the API serves under /ui/:
 * one JavaScript and one CSS bundle, named by content hash, and an
 * index.html that loads them (no inline script or style: the page's
 * Content-Security-Policy allows neither). Everything is bundled from
 * node_modules; nothing is fetched from a CDN at run time.
 * `baton dev` and the tests build it at start; scripts/build-ui.ts builds it
 * for the Lambda package (serverless.yml's local plugin).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

export async function buildUi(outDir: string, options: { minify?: boolean } = {}): Promise<{ dir: string; files: string[] }> {
  const dir = resolve(outDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(ROOT, 'ui', 'src', 'main.tsx'), styles: join(ROOT, 'ui', 'src', 'styles.css') },
    outdir: dir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: false,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => name.startsWith('app-') && name.endsWith('.js'));
  const style = outputs.find((name) => name.startsWith('styles-') && name.endsWith('.css'));
  if (!script || !style) throw new Error(`build-ui: no bundle among ${outputs.join(', ')}`);
  writeFileSync(
    join(dir, 'index.html'),
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="referrer" content="no-referrer">',
      '<title>Baton</title>',
      `<link rel="stylesheet" href="${style}">`,
      `<script type="module" src="${script}"></script>`,
      '</head>',
      '<body><div id="app"></div></body>',
      '</html>',
      '',
    ].join('\n'),
  );
  return { dir, files: ['index.html', ...outputs] };
}
