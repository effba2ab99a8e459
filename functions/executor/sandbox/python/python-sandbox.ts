/**
 * Python code blocks: CPython (Pyodide) on WebAssembly, each run on a fresh
 * interpreter in its own isolated-vm isolate, so whatever the code does to
 * the interpreter, and any way it finds from Python into JavaScript, lands in
 * a realm with no host capabilities and is gone after the run.
 *
 * A small pool keeps interpreters booted ahead from Pyodide's memory
 * snapshot; taking one starts booting its replacement in the background.
 * Only JSON text crosses the boundary: the request goes in as one string,
 * log lines come out through a callback, the run ends in one string
 * (outcome.ts). The interpreter's memory is capped in the wasm binary;
 * a timeout disposes the isolate.
 */
import ivm from 'isolated-vm';
import { pythonAssets, type PythonAssets } from './assets.ts';
import { BOOT_SOURCE } from './boot-script.ts';
import { PythonInterpreter, type LogSink } from './interpreter.ts';
import { REALM_PRELUDE_SOURCE } from './realm-prelude.ts';
import { defaultSnapshotDir, readSnapshot, writeSnapshot } from './snapshot-store.ts';
import { readOutcome, type SandboxFailure } from '../outcome.ts';
import { MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINES, MAX_LOG_LINE_CHARS } from '../prelude.ts';
import type { LogLine, RunCodeResult } from '../sandbox.ts';
import { SecretMask } from '../../../../shared/secrets/secret-mask.ts';
import { HOST_TIMER_GRACE_MS, runLimitsProblem, wholeNumberIn } from '../run-limits.ts';

export const DEFAULT_PYTHON_MEMORY_MB = 256;
/** Below this the snapshot's own memory (about 30 MB) does not fit with room to run. */
export const MIN_PYTHON_MEMORY_MB = 64;
export const DEFAULT_PYTHON_POOL_SIZE = 2;
export const MAX_PYTHON_POOL_SIZE = 16;
/** Boots at once, whatever the demand: each copies a 31 MB snapshot in and takes a core for a moment. */
export const MAX_PARALLEL_BOOTS = 2;
const LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;

export interface RunPythonRequest {
  /** The block's code: the body of a Python function. */
  readonly code: string;
  /** Names in scope as globals; must be JSON-serialisable (undefined becomes None). */
  readonly scope: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
}

export interface PythonSandboxOptions {
  /** The interpreter's memory cap (the wasm memory's maximum), in MB. */
  readonly memoryMb?: number;
  /** Interpreters kept booted ahead. */
  readonly poolSize?: number;
  /** Where the memory snapshot is kept between processes. */
  readonly snapshotDir?: string;
  readonly secrets?: SecretMask;
}

function requestProblem(request: RunPythonRequest): string | undefined {
  if (typeof request.code !== 'string' || request.code.trim() === '') return 'code must be a non-empty string';
  const limits = runLimitsProblem(request);
  if (limits) return limits;
  if (typeof request.scope !== 'object' || request.scope === null || Array.isArray(request.scope)) return 'scope must be an object';
  for (const name of Object.keys(request.scope)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.startsWith('__')) return `"${name}" cannot be a name in scope`;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_ERROR_MESSAGE_CHARS ? `${message.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : message;
}

export class PythonSandbox {
  readonly memoryMb: number;
  readonly poolSize: number;
  readonly snapshotDir: string;
  readonly secrets: SecretMask;
  /** Interpreters booted so far, and how long the last snapshot boot took (the benchmark reads them). */
  interpretersBooted = 0;
  lastBootMs = 0;
  /** The most boots that ran at once (tests read it). */
  peakParallelBoots = 0;
  private boots = 0;
  private readonly bootWaiters: Array<() => void> = [];
  private assets: PythonAssets | undefined;
  private snapshot: Promise<ivm.ExternalCopy<ArrayBuffer>> | undefined;
  /** Whether the snapshot in use was read from disk, and whether the disk's failed to boot (then it is made anew). */
  private snapshotFromDisk = false;
  private distrustDisk = false;
  private readonly pool: Array<Promise<PythonInterpreter>> = [];
  private refilling = false;
  private disposed = false;

  constructor(options: PythonSandboxOptions = {}) {
    this.memoryMb = options.memoryMb ?? DEFAULT_PYTHON_MEMORY_MB;
    this.poolSize = options.poolSize ?? DEFAULT_PYTHON_POOL_SIZE;
    this.snapshotDir = options.snapshotDir ?? defaultSnapshotDir();
    this.secrets = options.secrets ?? new SecretMask();
    if (!wholeNumberIn(this.memoryMb, MIN_PYTHON_MEMORY_MB, 4096)) {
      throw new RangeError(`Python memoryMb must be a whole number from ${MIN_PYTHON_MEMORY_MB} to 4096, got ${this.memoryMb}`);
    }
    if (!wholeNumberIn(this.poolSize, 0, MAX_PYTHON_POOL_SIZE)) {
      throw new RangeError(`Python poolSize must be a whole number from 0 to ${MAX_PYTHON_POOL_SIZE}, got ${this.poolSize}`);
    }
  }

  /** Makes (or reads) the snapshot and fills the pool; runs call it themselves, a container may call it at start. */
  async warm(): Promise<void> {
    this.disposed = false;
    await this.snapshotCopy();
    // Replacements boot one after another, so wait round by round (a boot that keeps failing ends it).
    for (let round = 0; round < this.poolSize * 3 && !this.disposed; round++) {
      this.refill();
      await Promise.allSettled(this.pool);
      if (this.pool.length >= this.poolSize) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async run(request: RunPythonRequest): Promise<RunCodeResult> {
    const logs: LogLine[] = [];
    const problem = requestProblem(request);
    if (problem) return this.failed({ name: 'SandboxError', message: `bad sandbox request: ${problem}` }, logs);
    let input: string;
    try {
      input = JSON.stringify({ code: request.code, scope: request.scope, maxResultBytes: request.maxResultBytes }, (_key, value: unknown) =>
        value === undefined ? null : value,
      );
    } catch (error) {
      return this.failed({ name: 'SandboxError', message: `bad scope: ${errorMessage(error)}` }, logs);
    }

    this.disposed = false;
    let interpreter: PythonInterpreter;
    try {
      interpreter = await this.take();
    } catch (error) {
      return this.failed({ name: 'SandboxError', message: `the Python interpreter failed to boot: ${errorMessage(error)}` }, logs);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const finished = interpreter.run(input, request.timeoutMs, this.logSink(logs));
      finished.catch(() => {});
      const expired = new Promise<typeof EXPIRED>((resolve) => {
        timer = setTimeout(() => resolve(EXPIRED), request.timeoutMs + HOST_TIMER_GRACE_MS);
      });
      const raw = await Promise.race([finished, expired]);
      if (raw === EXPIRED) return this.failed(timedOut(request.timeoutMs), logs);
      const outcome = readOutcome(raw, request.maxResultBytes);
      if (!outcome.ok) return this.failed(outcome.error, logs);
      // Unlike the JavaScript prelude, the Python runner is within the code's reach (its frames, its module): its JSON is checked.
      if (outcome.json !== undefined && !isJson(outcome.json)) {
        return this.failed({ name: 'ResultError', message: 'the Python run returned a result that is not JSON (was the runner tampered with?)' }, logs);
      }
      return { ok: true, json: outcome.json, logs };
    } catch (error) {
      return this.failed(this.describeFailure(error, interpreter, request.timeoutMs), logs);
    } finally {
      clearTimeout(timer);
      // One run per interpreter: nothing the code did outlives it.
      interpreter.dispose();
    }
  }

  /** The pooled interpreters' isolates: how many, and the memory V8 counts for them (JS heap and wasm memory). */
  async pooledMemory(): Promise<{ readonly interpreters: number; readonly bytes: number }> {
    const booted = await Promise.allSettled(this.pool);
    let interpreters = 0;
    let bytes = 0;
    for (const result of booted) {
      if (result.status !== 'fulfilled' || !result.value.alive) continue;
      interpreters++;
      bytes += result.value.heapBytes();
    }
    return { interpreters, bytes };
  }

  /** Disposes the pooled interpreters and the shared compiled module (which otherwise keeps the process alive). */
  dispose(): void {
    this.disposed = true;
    for (const booting of this.pool.splice(0)) void booting.then((interpreter) => interpreter.dispose(), () => {});
    const { assets, snapshot } = this;
    this.assets = undefined;
    this.snapshot = undefined;
    if (snapshot) void snapshot.then((copy) => copy.release(), () => {});
    assets?.module.release();
    assets?.stdlib.release();
  }

  private assetsFor(): PythonAssets {
    this.assets ??= pythonAssets(this.memoryMb, REALM_PRELUDE_SOURCE + BOOT_SOURCE);
    return this.assets;
  }

  private snapshotCopy(): Promise<ivm.ExternalCopy<ArrayBuffer>> {
    this.snapshot ??= (async () => {
      const assets = this.assetsFor();
      let bytes = this.distrustDisk ? undefined : readSnapshot(this.snapshotDir, assets.fingerprint);
      this.snapshotFromDisk = bytes !== undefined;
      if (!bytes) {
        const cold = await PythonInterpreter.boot(assets, undefined);
        try {
          bytes = await cold.takeSnapshot();
        } finally {
          cold.dispose();
        }
        writeSnapshot(this.snapshotDir, assets.fingerprint, bytes);
      }
      return new ivm.ExternalCopy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    })();
    this.snapshot.catch(() => (this.snapshot = undefined));
    return this.snapshot;
  }

  private async bootOne(): Promise<PythonInterpreter> {
    const snapshot = await this.snapshotCopy();
    while (this.boots >= MAX_PARALLEL_BOOTS) await new Promise<void>((resolve) => this.bootWaiters.push(resolve));
    this.boots++;
    this.peakParallelBoots = Math.max(this.peakParallelBoots, this.boots);
    let interpreter: PythonInterpreter;
    try {
      const started = performance.now();
      interpreter = await PythonInterpreter.boot(this.assetsFor(), snapshot);
      this.lastBootMs = performance.now() - started;
    } catch (error) {
      if (this.snapshotFromDisk && !this.distrustDisk) {
        // A damaged or foreign file: make the snapshot anew (and write it back) rather than fail every run.
        this.distrustDisk = true;
        this.snapshot = undefined;
      }
      throw error;
    } finally {
      this.boots--;
      this.bootWaiters.shift()?.();
    }
    this.interpretersBooted++;
    if (this.disposed) {
      interpreter.dispose();
      throw new Error('the Python sandbox was disposed');
    }
    return interpreter;
  }

  private async take(): Promise<PythonInterpreter> {
    const next = this.pool.shift();
    this.refill();
    // A pooled interpreter that failed to boot (or died) is replaced once by a boot of this run's own.
    for (let attempt = 0; ; attempt++) {
      try {
        const interpreter = await (attempt === 0 && next ? next : this.bootOne());
        if (interpreter.alive) return interpreter;
        if (attempt > 0) throw new Error('the interpreter died as it booted');
      } catch (error) {
        if (attempt > 0) throw error;
      }
    }
  }

  /** Boots replacements one after another (not all at once: they would take every core from the runs). */
  private refill(): void {
    if (this.refilling || this.disposed || this.pool.length >= this.poolSize) return;
    this.refilling = true;
    const booting = this.bootOne();
    booting.catch(() => {});
    this.pool.push(booting);
    void booting
      .catch(() => {
        const index = this.pool.indexOf(booting);
        if (index >= 0) void this.pool.splice(index, 1);
      })
      .finally(() => {
        this.refilling = false;
        if (!this.disposed) setImmediate(() => this.refill());
      });
  }

  private logSink(logs: LogLine[]): LogSink {
    return (level, message) => {
      if (logs.length > MAX_LOG_LINES) return;
      logs.push({
        level: LEVELS.find((known) => known === level) ?? 'log',
        message: this.secrets.mask(message.slice(0, MAX_LOG_LINE_CHARS + 1)),
        at: Date.now(),
      });
    };
  }

  private failed(error: SandboxFailure, logs: LogLine[]): RunCodeResult {
    return { ok: false, error: { name: this.secrets.mask(error.name), message: this.secrets.mask(error.message) }, logs };
  }

  private describeFailure(error: unknown, interpreter: PythonInterpreter, timeoutMs: number): SandboxFailure {
    const message = errorMessage(error);
    if (/Script execution timed out/.test(message)) return timedOut(timeoutMs);
    if (!interpreter.alive || /memory limit/i.test(message)) {
      return { name: 'MemoryLimitError', message: `exceeded the Python sandbox's memory limit (${this.memoryMb} MB)` };
    }
    if (/Maximum call stack size exceeded/.test(message)) {
      return { name: 'RecursionError', message: 'the code nested or recursed too deeply for the interpreter\'s stack, which stopped it' };
    }
    // What the Python side could not catch: the interpreter itself failed (a stack overflow in C, a fatal error).
    return { name: 'PythonFatalError', message: `the Python interpreter stopped: ${message}` };
  }
}

const EXPIRED = Symbol('expired');

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function timedOut(timeoutMs: number): SandboxFailure {
  return { name: 'TimeoutError', message: `timed out after ${timeoutMs} ms` };
}
