/**
 * The sandbox: user code runs in isolated-vm, never in the host realm.
 *
 * One isolate is reused across invocations (a warm Lambda container keeps
 * it), and every invocation gets a fresh context, so nothing one block leaves
 * on its globals is seen by the next. The isolate is replaced after it is
 * disposed (memory limit, timeout) and after MAX_USES invocations.
 *
 * Only JSON crosses the boundary: inputs go in as one JSON string, results
 * come out as one JSON string, and console lines as strings through a callback.
 */
import ivm from 'isolated-vm';

export const DEFAULT_MEMORY_LIMIT_MB = 128;
const MAX_USES = 500;
const MAX_LOG_LINES = 1000;
const MAX_LOG_LINE_CHARS = 8192;

export interface LogLine {
  readonly level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  readonly message: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface RunCodeRequest {
  /** A function expression (see shared/definition/syntax.ts) whose result is the block's data. */
  readonly functionSource: string;
  /** Values in scope as globals of the fresh context; must be JSON-serialisable. */
  readonly scope: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
}

export interface SandboxFailure {
  readonly name: string;
  readonly message: string;
}

export type RunCodeResult =
  | { readonly ok: true; readonly json: string | undefined; readonly logs: LogLine[] }
  | { readonly ok: false; readonly error: SandboxFailure; readonly logs: LogLine[] };

/** Installs console and the scope inside the context; runs before user code, in the isolate. */
const PRELUDE = `
(() => {
  const log = globalThis.__batonLog;
  const input = JSON.parse(globalThis.__batonInput);
  delete globalThis.__batonLog;
  delete globalThis.__batonInput;
  const format = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return String(value.stack || value);
    try { const text = JSON.stringify(value); return text === undefined ? String(value) : text; }
    catch { return String(value); }
  };
  const make = (level) => (...args) => { log(level, args.map(format).join(' ')); };
  const console = Object.freeze({ log: make('log'), info: make('info'), warn: make('warn'), error: make('error'), debug: make('debug') });
  Object.defineProperty(globalThis, 'console', { value: console, writable: false, configurable: false });
  for (const key of Object.keys(input)) {
    Object.defineProperty(globalThis, key, { value: input[key], writable: true, configurable: false, enumerable: false });
  }
})();
`;

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export class Sandbox {
  private isolate: ivm.Isolate | undefined;
  private uses = 0;
  /** Runs in flight per isolate: the local endpoint runs many at once, and a retired isolate is disposed only when idle. */
  private readonly active = new Map<ivm.Isolate, number>();

  constructor(private readonly memoryLimitMb = DEFAULT_MEMORY_LIMIT_MB) {}

  private currentIsolate(): ivm.Isolate {
    if (!this.isolate || this.isolate.isDisposed || this.uses >= MAX_USES) {
      if (this.isolate && !this.isolate.isDisposed && !this.active.has(this.isolate)) this.isolate.dispose();
      this.isolate = new ivm.Isolate({ memoryLimit: this.memoryLimitMb });
      this.uses = 0;
    }
    this.uses++;
    return this.isolate;
  }

  async run(request: RunCodeRequest): Promise<RunCodeResult> {
    const logs: LogLine[] = [];
    let dropped = 0;
    const isolate = this.currentIsolate();
    this.active.set(isolate, (this.active.get(isolate) ?? 0) + 1);
    const context = await isolate.createContext().catch((error: unknown) => {
      this.release(isolate);
      throw error;
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const global = context.global;
      await global.set(
        '__batonLog',
        new ivm.Callback((level: unknown, message: unknown) => {
          if (logs.length >= MAX_LOG_LINES) {
            dropped++;
            return;
          }
          logs.push({
            level: (['log', 'info', 'warn', 'error', 'debug'] as const).find((l) => l === level) ?? 'log',
            message: String(message).slice(0, MAX_LOG_LINE_CHARS),
            at: Date.now(),
          });
        }),
      );
      await global.set('__batonInput', JSON.stringify(request.scope));
      await context.eval(PRELUDE, { timeout: request.timeoutMs });
      const script =
        `(async () => { const result = await (${request.functionSource})();` +
        ` return result === undefined ? undefined : JSON.stringify(result); })()`;
      // isolated-vm's own timeout covers synchronous CPU only; the host timer
      // also ends awaits that never settle and loops after an await.
      const evaluation = context.eval(script, { timeout: request.timeoutMs, promise: true, copy: true });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
      });
      const json = (await Promise.race([evaluation, timeout])) as unknown;
      if (json !== undefined && typeof json !== 'string') {
        return { ok: false, error: { name: 'ResultError', message: 'result is not JSON-serialisable' }, logs };
      }
      if (json !== undefined && Buffer.byteLength(json) > request.maxResultBytes) {
        return {
          ok: false,
          error: {
            name: 'ResultTooLarge',
            message: `result is ${Buffer.byteLength(json)} bytes, over the limit of ${request.maxResultBytes} (BATON_MAX_RESULT_BYTES)`,
          },
          logs,
        };
      }
      return { ok: true, json, logs };
    } catch (error) {
      return { ok: false, error: this.describeFailure(error, isolate, request.timeoutMs), logs };
    } finally {
      clearTimeout(timer);
      if (dropped > 0) logs.push({ level: 'warn', message: `${dropped} more console lines dropped`, at: Date.now() });
      if (!isolate.isDisposed) context.release();
      this.release(isolate);
    }
  }

  private release(isolate: ivm.Isolate): void {
    const count = (this.active.get(isolate) ?? 1) - 1;
    if (count > 0) {
      this.active.set(isolate, count);
      return;
    }
    this.active.delete(isolate);
    if (isolate !== this.isolate && !isolate.isDisposed) isolate.dispose();
  }

  private describeFailure(error: unknown, isolate: ivm.Isolate, timeoutMs: number): SandboxFailure {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'TimeoutError' || /Script execution timed out/.test(message)) {
      // A timed-out isolate may still be spinning: dispose it, the next run gets a new one.
      if (!isolate.isDisposed) isolate.dispose();
      return { name: 'TimeoutError', message: `timed out after ${timeoutMs} ms` };
    }
    if (isolate.isDisposed || /memory limit/i.test(message)) {
      if (!isolate.isDisposed) isolate.dispose();
      return { name: 'MemoryLimitError', message: `exceeded the memory limit of ${this.memoryLimitMb} MB` };
    }
    return { name, message };
  }

  dispose(): void {
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
    this.isolate = undefined;
  }
}
