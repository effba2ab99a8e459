/**
 * One Python interpreter in its own isolate, for one run: booted from the
 * memory snapshot (or cold, to make one), then run once and disposed.
 * isolated-vm runs each step on its own thread, so booting the pool's
 * next interpreter does not hold up the host's event loop.
 */
import { randomBytes } from 'node:crypto';
import ivm from 'isolated-vm';
import type { PythonAssets } from './assets.ts';
import { BOOT_GLOBAL, BOOT_SOURCE, EMIT_INPUT, RUN_GLOBAL, SNAPSHOT_GLOBAL } from './boot-script.ts';
import { REALM_INPUT, REALM_PRELUDE_SOURCE } from './realm-prelude.ts';

/** The isolate's JS heap (Pyodide's JS side; the interpreter's own memory is the wasm memory, capped in the binary). */
export const PYTHON_JS_HEAP_MB = 128;
/** A boot that takes longer than this is stuck. */
const BOOT_TIMEOUT_MS = 60_000;
const MAX_RANDOM_BYTES = 65_536;

/** Compiled scripts' V8 code caches, shared by every isolate of this process. */
const codeCaches = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();

interface CompileResults {
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  cachedDataRejected?: boolean;
}

async function compile(isolate: ivm.Isolate, source: string, filename: string): Promise<ivm.Script> {
  const cachedData = codeCaches.get(filename);
  if (cachedData) {
    const script = await isolate.compileScript(source, { filename, cachedData });
    if (!(script as CompileResults).cachedDataRejected) return script;
  }
  const script = await isolate.compileScript(source, { filename, produceCachedData: true });
  const produced = (script as CompileResults).cachedData;
  if (produced) codeCaches.set(filename, produced);
  return script;
}

export type LogSink = (level: string, message: string) => void;

export class PythonInterpreter {
  private emit: LogSink = () => {};

  private constructor(
    readonly isolate: ivm.Isolate,
    private readonly context: ivm.Context,
  ) {}

  get alive(): boolean {
    return !this.isolate.isDisposed;
  }

  /** What V8 counts for this isolate now, in bytes: its JS heap and its external memory (the wasm memory among it). */
  heapBytes(): number {
    const stats = this.isolate.getHeapStatisticsSync();
    return stats.used_heap_size + stats.externally_allocated_size;
  }

  /** Boots an interpreter in a new isolate: from `snapshot`, or cold when it is absent. */
  static async boot(assets: PythonAssets, snapshot: ivm.ExternalCopy<ArrayBuffer> | undefined): Promise<PythonInterpreter> {
    const isolate = new ivm.Isolate({
      memoryLimit: PYTHON_JS_HEAP_MB,
      onCatastrophicError: (message) => {
        process.stderr.write(`baton: isolated-vm catastrophic error, aborting: ${message}\n`);
        process.abort();
      },
    });
    try {
      const context = await isolate.createContext();
      const interpreter = new PythonInterpreter(isolate, context);
      const global = context.global;
      await global.set(REALM_INPUT.log, new ivm.Callback(() => undefined));
      await global.set(
        REALM_INPUT.random,
        new ivm.Callback((count: unknown) => {
          const n = typeof count === 'number' && Number.isInteger(count) && count >= 0 && count <= MAX_RANDOM_BYTES ? count : 0;
          return new Uint8Array(randomBytes(n));
        }),
      );
      await global.set(REALM_INPUT.module, assets.module.copyInto({ release: false }));
      await global.set(REALM_INPUT.stdlib, assets.stdlib.copyInto({ release: false }));
      await global.set(REALM_INPUT.lockFile, assets.lockFile);
      await global.set(
        EMIT_INPUT,
        new ivm.Callback((level: unknown, message: unknown) => interpreter.emit(String(level), String(message))),
      );
      for (const [source, filename] of [
        [REALM_PRELUDE_SOURCE, 'baton:python-realm'],
        [assets.asmScript, 'baton:pyodide.asm.js'],
        [assets.loaderScript, 'baton:pyodide.js'],
        [BOOT_SOURCE, 'baton:python-boot'],
      ] as const) {
        const script = await compile(isolate, source, filename);
        await script.run(context, { timeout: BOOT_TIMEOUT_MS });
        script.release();
      }
      const boot = (await global.get(BOOT_GLOBAL, { reference: true })) as ivm.Reference<(snapshot?: ArrayBuffer) => Promise<void>>;
      await boot.apply(undefined, [snapshot?.copyInto({ release: false })], { timeout: BOOT_TIMEOUT_MS, result: { promise: true } });
      boot.release();
      return interpreter;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  /** Copies out the memory snapshot a cold boot left. */
  async takeSnapshot(): Promise<Uint8Array> {
    const snapshot = (await this.context.global.get(SNAPSHOT_GLOBAL, { copy: true })) as unknown;
    if (!(snapshot instanceof Uint8Array)) throw new Error('the Python boot left no memory snapshot');
    return snapshot;
  }

  /**
   * Runs the one request this interpreter is for; the raw outcome string.
   * Throws isolated-vm's errors (a timeout, a disposed isolate).
   */
  async run(request: string, timeoutMs: number, onLog: LogSink): Promise<unknown> {
    this.emit = onLog;
    const run = (await this.context.global.get(RUN_GLOBAL, { reference: true })) as ivm.Reference<(request: string) => string>;
    return run.apply(undefined, [request], { timeout: timeoutMs, result: { copy: true } });
  }

  dispose(): void {
    this.emit = () => {};
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}
