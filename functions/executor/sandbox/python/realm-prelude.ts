/**
 * The JavaScript a Python isolate starts with, before Pyodide's scripts:
 * pure-JS stand-ins for the few Web APIs Emscripten and Pyodide use, and
 * d8-style `read`/`readbuffer` so Pyodide takes its shell path and loads
 * its files from what the host copied in. It takes the host values from
 * temporary globals and deletes them; nothing here can reach the host but
 * two callbacks that take and return plain values (a log line; a count of
 * random bytes).
 *
 * WebAssembly's async compile and instantiate never settle inside
 * isolated-vm, so they are answered at once with the synchronous
 * constructors; the interpreter itself arrives compiled from the host (an
 * empty `pyodide.asm.wasm` stands for it).
 */

export const REALM_INPUT = {
  log: '__batonLog',
  random: '__batonRandom',
  module: '__batonWasmModule',
  stdlib: '__batonStdlib',
  lockFile: '__batonLockFile',
} as const;

/** Where Pyodide's loader looks for its files (its indexURL); only these names are served. */
export const INDEX_URL = '/pyodide/';

export const REALM_PRELUDE_SOURCE = `'use strict';
(() => {
  const g = globalThis;
  const hostLog = g.${REALM_INPUT.log};
  const hostRandom = g.${REALM_INPUT.random};
  const wasmModule = g.${REALM_INPUT.module};
  let stdlib = g.${REALM_INPUT.stdlib};
  const lockFile = g.${REALM_INPUT.lockFile};
  for (const name of ${JSON.stringify(Object.values(REALM_INPUT))}) delete g[name];

  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(text = '') {
      const bytes = new Uint8Array(text.length * 3);
      return bytes.slice(0, this.encodeInto(text, bytes).written);
    }
    encodeInto(text, bytes) {
      text = String(text);
      let read = 0;
      let written = 0;
      const length = bytes.length;
      for (let i = 0; i < text.length; i++) {
        let code = text.charCodeAt(i);
        let units = 1;
        if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
          const low = text.charCodeAt(i + 1);
          if (low >= 0xdc00 && low < 0xe000) { code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00); units = 2; }
        }
        if (code >= 0xd800 && code < 0xe000) code = 0xfffd;
        if (code < 0x80) {
          if (written + 1 > length) break;
          bytes[written++] = code;
        } else if (code < 0x800) {
          if (written + 2 > length) break;
          bytes[written++] = 0xc0 | (code >> 6);
          bytes[written++] = 0x80 | (code & 63);
        } else if (code < 0x10000) {
          if (written + 3 > length) break;
          bytes[written++] = 0xe0 | (code >> 12);
          bytes[written++] = 0x80 | ((code >> 6) & 63);
          bytes[written++] = 0x80 | (code & 63);
        } else {
          if (written + 4 > length) break;
          bytes[written++] = 0xf0 | (code >> 18);
          bytes[written++] = 0x80 | ((code >> 12) & 63);
          bytes[written++] = 0x80 | ((code >> 6) & 63);
          bytes[written++] = 0x80 | (code & 63);
        }
        read += units;
        i += units - 1;
      }
      return { read, written };
    }
  }

  const CHUNK = 8192;
  class TextDecoder {
    constructor(label = 'utf-8') {
      const name = String(label).toLowerCase();
      if (name === 'utf-16le') this.kind = 'utf-16le';
      else if (name === 'latin1' || name === 'ascii' || name === 'iso-8859-1') this.kind = 'latin1';
      else if (name === 'utf-8' || name === 'utf8') this.kind = 'utf-8';
      else throw new RangeError('TextDecoder: only utf-8, utf-16le and latin1 are available here, not ' + label);
    }
    get encoding() { return this.kind === 'latin1' ? 'windows-1252' : this.kind; }
    decode(input) {
      if (input === undefined) return '';
      const bytes = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
      let out = '';
      if (this.kind === 'latin1') {
        for (let i = 0; i < bytes.length; i += CHUNK) out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
        return out;
      }
      if (this.kind === 'utf-16le') {
        const units = [];
        for (let i = 0; i + 1 < bytes.length; i += 2) {
          units.push(bytes[i] | (bytes[i + 1] << 8));
          if (units.length >= CHUNK) { out += String.fromCharCode.apply(null, units); units.length = 0; }
        }
        return out + String.fromCharCode.apply(null, units);
      }
      const units = [];
      for (let i = 0; i < bytes.length; ) {
        const byte = bytes[i];
        let code;
        if (byte < 0x80) { code = byte; i += 1; }
        else if (byte >= 0xc2 && byte < 0xe0 && i + 1 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80) {
          code = ((byte & 31) << 6) | (bytes[i + 1] & 63); i += 2;
        } else if (byte >= 0xe0 && byte < 0xf0 && i + 2 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
          code = ((byte & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
          if (code < 0x800 || (code >= 0xd800 && code < 0xe000)) code = 0xfffd;
          i += 3;
        } else if (byte >= 0xf0 && byte < 0xf5 && i + 3 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80) {
          code = ((byte & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
          if (code < 0x10000 || code > 0x10ffff) code = 0xfffd;
          i += 4;
        } else { code = 0xfffd; i += 1; }
        if (code >= 0x10000) {
          code -= 0x10000;
          units.push(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
        } else {
          units.push(code);
        }
        if (units.length >= CHUNK) { out += String.fromCharCode.apply(null, units); units.length = 0; }
      }
      return out + String.fromCharCode.apply(null, units);
    }
  }

  const started = Date.now();
  const performance = { now: () => Date.now() - started, timeOrigin: started };

  const crypto = {
    getRandomValues(view) {
      if (!ArrayBuffer.isView(view) || view.byteLength > 65536) throw new TypeError('getRandomValues takes a typed array of at most 65536 bytes');
      new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(hostRandom(view.byteLength));
      return view;
    },
  };

  // Pyodide's own diagnostics: not the block's logs (those come from Python's streams).
  const console = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) console[level] = () => {};

  // Timers run on the next microtask: the shell path has no event loop of its own.
  let timerId = 0;
  const cancelled = new Set();
  const setTimeout = (fn, _ms, ...args) => {
    const id = ++timerId;
    Promise.resolve().then(() => { if (!cancelled.delete(id) && typeof fn === 'function') fn(...args); });
    return id;
  };
  const clearTimeout = (id) => void cancelled.add(id);

  const empty = new ArrayBuffer(0);
  const readbuffer = (path) => {
    if (path === '${INDEX_URL}pyodide.asm.wasm') return empty;
    if (path === '${INDEX_URL}python_stdlib.zip' && stdlib) {
      const bytes = stdlib;
      stdlib = undefined;
      return bytes;
    }
    throw new Error('no file ' + path);
  };
  const read = (path, mode) => {
    if (mode === 'binary') return new Uint8Array(readbuffer(path));
    if (path === '${INDEX_URL}pyodide-lock.json') return lockFile;
    throw new Error('no file ' + path);
  };
  const load = () => { throw new Error('load is not available'); };

  const W = WebAssembly;
  const Module = W.Module;
  const Instance = W.Instance;
  const moduleOf = (source) => {
    if (source instanceof Module) return source;
    const size = ArrayBuffer.isView(source) || source instanceof ArrayBuffer ? source.byteLength : -1;
    return size === 0 ? wasmModule : new Module(source);
  };
  W.compile = async (source) => moduleOf(source);
  W.instantiate = async (source, imports) => {
    const module = moduleOf(source);
    const instance = new Instance(module, imports);
    return source instanceof Module ? instance : { module, instance };
  };
  W.compileStreaming = W.instantiateStreaming = async () => { throw new Error('streaming compilation is not available'); };

  const define = (name, value) => Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  const shims = { TextEncoder, TextDecoder, performance, crypto, console, setTimeout, clearTimeout, read, readbuffer, load };
  for (const name in shims) define(name, shims[name]);
})();
`;
