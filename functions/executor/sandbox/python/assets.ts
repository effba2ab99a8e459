/**
 * What every Python isolate is made from, read once per process from the
 * `pyodide` package: its two ES modules turned into plain scripts (an
 * isolate runs scripts, and there is no module loader in it), the standard
 * library zip and lock file, and the interpreter's WebAssembly, with its
 * memory capped, compiled once here and shared by every isolate.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ivm from 'isolated-vm';
import { capWasmMemory } from './wasm-memory-cap.ts';

/** Globals the converted scripts leave their entry points on; the boot script takes and deletes them. */
export const CREATE_MODULE_GLOBAL = '__batonCreatePyodideModule';
export const LOAD_PYODIDE_GLOBAL = '__batonLoadPyodide';

export interface PythonAssets {
  readonly version: string;
  readonly asmScript: string;
  readonly loaderScript: string;
  readonly lockFile: string;
  readonly stdlib: ivm.ExternalCopy<ArrayBuffer>;
  /** The interpreter, compiled in the host with its memory capped; an isolate instantiates it without compiling. */
  readonly module: ivm.ExternalCopy<object>;
  readonly memoryMb: number;
  /** Changes whenever anything a snapshot depends on changes. */
  readonly fingerprint: string;
}

function replaceOnce(source: string, search: string | RegExp, replacement: string, what: string): string {
  const count = typeof search === 'string' ? source.split(search).length - 1 : (source.match(new RegExp(search, 'g')) ?? []).length;
  if (count !== 1) throw new Error(`pyodide: expected one ${what} in the package's scripts, found ${count} (a pyodide version this code does not know?)`);
  return source.replace(search, replacement);
}

/** pyodide.asm.mjs as a script: no import.meta, no export, and randomness from crypto.getRandomValues on the shell path. */
export function asmToScript(source: string): string {
  let script = source.replaceAll('import.meta.url', '"baton:pyodide.asm.js"');
  script = replaceOnce(script, 'export default _createPyodideModule;', `globalThis.${CREATE_MODULE_GLOBAL}=_createPyodideModule;`, 'default export');
  // Emscripten's shell path would shell out to /dev/urandom through d8's os.system.
  script = replaceOnce(script, 'var initRandomFill=()=>{', 'var initRandomFill=()=>{if(ENVIRONMENT_IS_SHELL)return view=>crypto.getRandomValues(view);', 'random fill');
  return script;
}

/** pyodide.mjs as a script: its loadPyodide left on a global. */
export function loaderToScript(source: string): string {
  const exports = /export\s*\{\s*(\w+) as loadPyodide,\s*\w+ as version\s*\};?/;
  const name = exports.exec(source)?.[1];
  if (!name) throw new Error('pyodide: pyodide.mjs does not export loadPyodide as this code expects');
  if (source.includes('import.meta')) throw new Error('pyodide: pyodide.mjs uses import.meta, which this code does not replace');
  return replaceOnce(source, exports, `globalThis.${LOAD_PYODIDE_GLOBAL}=${name};`, 'export list');
}

export function pyodideDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
}

/** The host's WebAssembly (the project's TypeScript libs do not declare it). */
const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;

/** Reads and prepares the assets; the caller releases `module` and `stdlib` when done (a live module copy keeps the process alive). */
export function pythonAssets(memoryMb: number, extraFingerprint: string): PythonAssets {
  const dir = pyodideDirectory();
  const read = (name: string) => readFileSync(join(dir, name));
  const version = (JSON.parse(read('package.json').toString('utf8')) as { version: string }).version;
  const wasm = capWasmMemory(new Uint8Array(read('pyodide.asm.wasm')), memoryMb);
  const stdlibBytes = read('python_stdlib.zip');
  const asmScript = asmToScript(read('pyodide.asm.mjs').toString('utf8'));
  const loaderScript = loaderToScript(read('pyodide.mjs').toString('utf8'));
  const fingerprint = createHash('sha256')
    .update(version)
    .update('\0')
    .update(String(memoryMb))
    .update('\0')
    .update(asmScript)
    .update(loaderScript)
    .update(extraFingerprint)
    .digest('hex')
    .slice(0, 24);
  const assets: PythonAssets = {
    version,
    asmScript,
    loaderScript,
    lockFile: read('pyodide-lock.json').toString('utf8'),
    stdlib: new ivm.ExternalCopy(stdlibBytes.buffer.slice(stdlibBytes.byteOffset, stdlibBytes.byteOffset + stdlibBytes.byteLength)),
    module: new ivm.ExternalCopy(new wasmApi.Module(wasm)),
    memoryMb,
    fingerprint,
  };
  return assets;
}
