/**
 * The sandbox: user code (code blocks, templates, branch conditions, loop
 * expressions) runs in isolated-vm, never in the host realm.
 *
 * Each run gets a context nothing has run in, on a warm isolate from a small
 * pool: one isolate when runs come one at a time (a Lambda container), more
 * when they overlap (the local endpoint), so a block never waits behind
 * another's CPU loop and a disposed isolate takes only its own run with it.
 * An isolate is replaced after it hits its memory limit, after a timeout it
 * could not stop cleanly, and after `maxUses` runs.
 *
 * Only strings cross the boundary: the scope goes in as one JSON text,
 * console lines come out through a callback, and the run ends in one string
 * (see outcome.ts). No host object or function is ever visible to user code.
 */
import ivm from 'isolated-vm';
import { MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINES, MAX_LOG_LINE_CHARS, PRELUDE_INPUT, PRELUDE_LOG, runnerSource, type PreludeInput } from './prelude.ts';
import { IsolateSlot } from './isolate-slot.ts';
import { readOutcome, type SandboxFailure } from './outcome.ts';
import { HOST_TIMER_GRACE_MS, runLimitsProblem, wholeNumberIn } from './run-limits.ts';
import { SecretMask } from '../../../shared/secrets/secret-mask.ts';

export type { SandboxFailure } from './outcome.ts';

export const DEFAULT_MEMORY_LIMIT_MB = 128;
/** isolated-vm's own minimum. */
export const MIN_MEMORY_LIMIT_MB = 8;
export const DEFAULT_MAX_USES = 500;
/**
 * Warm isolates kept for overlapping runs; more are made on demand and
 * disposed after. A Lambda instance serves one invocation at a time and
 * keeps one; the local Lambda endpoint serves every invocation of a stack in
 * one process, where a 20-wide fan-out overlaps 20 runs: with 4 kept, 3 runs
 * in 4 made a new isolate (1.7 against 0.6 ms of CPU per run, measured with
 * 20 overlapping runs). Each warm isolate holds about 25 MiB, so the ones
 * beyond MIN_IDLE_ISOLATES are disposed after IDLE_ISOLATE_TTL_MS unused.
 */
const MAX_IDLE_ISOLATES = 16;
const MIN_IDLE_ISOLATES = 4;
const IDLE_ISOLATE_TTL_MS = 15_000;
/** Names a scope may not use: the sandbox's own, or globals that cannot be redefined. */
const RESERVED_NAMES = new Set(['console', 'globalThis', 'undefined', 'NaN', 'Infinity', '__proto__']);

const LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;

export interface LogLine {
  readonly level: (typeof LEVELS)[number];
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
  /** This run's isolate memory limit; the sandbox's own when absent. */
  readonly memoryLimitMb?: number;
}

export type RunCodeResult =
  | { readonly ok: true; readonly json: string | undefined; readonly logs: LogLine[] }
  | { readonly ok: false; readonly error: SandboxFailure; readonly logs: LogLine[] };

export interface SandboxOptions {
  /** Default per-run memory limit of an isolate (isolated-vm's heap limit). */
  readonly memoryLimitMb?: number;
  /** Runs an isolate serves before it is replaced. */
  readonly maxUses?: number;
  /** How long a warm isolate beyond the first few stays unused before it is disposed (IDLE_ISOLATE_TTL_MS). */
  readonly idleTtlMs?: number;
  /** Secret values hidden in logs and error messages. */
  readonly secrets?: SecretMask;
}

function requestProblem(request: RunCodeRequest): string | undefined {
  if (typeof request.functionSource !== 'string' || request.functionSource.trim() === '') return 'functionSource must be a non-empty string';
  const limits = runLimitsProblem(request);
  if (limits) return limits;
  if (request.memoryLimitMb !== undefined && !wholeNumberIn(request.memoryLimitMb, MIN_MEMORY_LIMIT_MB, 1 << 20)) {
    return `memoryLimitMb must be a whole number of at least ${MIN_MEMORY_LIMIT_MB}, got ${String(request.memoryLimitMb)}`;
  }
  if (typeof request.scope !== 'object' || request.scope === null || Array.isArray(request.scope)) return 'scope must be an object';
  return undefined;
}

/** The prelude's input as one JSON text; throws for a reserved name or a value JSON cannot hold. */
function encodeInput(request: RunCodeRequest): string {
  const undefinedNames: string[] = [];
  for (const [name, value] of Object.entries(request.scope)) {
    if (RESERVED_NAMES.has(name) || name.startsWith('__baton')) throw new Error(`"${name}" is a reserved name`);
    if (value === undefined) undefinedNames.push(name);
  }
  const input: PreludeInput = { values: request.scope, undefinedNames, maxResultBytes: request.maxResultBytes };
  return JSON.stringify(input);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && /Script execution timed out/.test(error.message);
}

export class Sandbox {
  readonly memoryLimitMb: number;
  readonly maxUses: number;
  private readonly idleTtlMs: number;
  readonly secrets: SecretMask;
  /** Isolates made so far (tests and the benchmark read it). */
  isolatesCreated = 0;

  /** Warm isolates waiting for a run. */
  get idleIsolates(): number {
    return this.idle.length;
  }
  private idle: IsolateSlot[] = [];
  private reaper: NodeJS.Timeout | undefined;

  constructor(options: SandboxOptions = {}) {
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    this.maxUses = options.maxUses ?? DEFAULT_MAX_USES;
    this.idleTtlMs = options.idleTtlMs ?? IDLE_ISOLATE_TTL_MS;
    this.secrets = options.secrets ?? new SecretMask();
    if (!wholeNumberIn(this.memoryLimitMb, MIN_MEMORY_LIMIT_MB, 1 << 20)) {
      throw new RangeError(`sandbox memoryLimitMb must be a whole number of at least ${MIN_MEMORY_LIMIT_MB}, got ${this.memoryLimitMb}`);
    }
    if (!wholeNumberIn(this.idleTtlMs, 1, Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`sandbox idleTtlMs must be a positive whole number, got ${this.idleTtlMs}`);
    }
    if (!wholeNumberIn(this.maxUses, 1, Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`sandbox maxUses must be a positive whole number, got ${this.maxUses}`);
    }
  }

  async run(request: RunCodeRequest): Promise<RunCodeResult> {
    const logs: LogLine[] = [];
    const problem = requestProblem(request);
    if (problem) return this.failed({ name: 'SandboxError', message: `bad sandbox request: ${problem}` }, logs);
    let input: string;
    try {
      input = encodeInput(request);
    } catch (error) {
      return this.failed({ name: 'SandboxError', message: `bad scope: ${error instanceof Error ? error.message : String(error)}` }, logs);
    }

    const slot = this.acquire(request.memoryLimitMb ?? this.memoryLimitMb);
    let context: ivm.Context | undefined;
    let timer: NodeJS.Timeout | undefined;
    let step: RunStep = 'prepare';
    try {
      context = await slot.takeContext();
      context.global.setSync(PRELUDE_INPUT, input);
      context.global.setSync(PRELUDE_LOG, new ivm.Callback(this.logSink(logs)));
      slot.prelude.runSync(context, { timeout: request.timeoutMs });
      step = 'compile';
      const script = slot.script(runnerSource(request.functionSource));
      step = 'run';

      const finished = script.run(context, { timeout: request.timeoutMs, promise: true });
      // Settles after the host timer has won the race: nobody is waiting for it then.
      finished.catch(() => {});
      const expired = new Promise<typeof EXPIRED>((resolve) => {
        timer = setTimeout(() => resolve(EXPIRED), request.timeoutMs + HOST_TIMER_GRACE_MS);
      });
      const raw: unknown = await Promise.race([finished, expired]);
      if (raw === EXPIRED) {
        // Still pending (a promise that never settles, or work isolated-vm could not interrupt).
        slot.dispose();
        return this.failed(timedOut(request.timeoutMs), logs);
      }
      const outcome = readOutcome(raw, request.maxResultBytes);
      return outcome.ok ? { ok: true, json: outcome.json, logs } : this.failed(outcome.error, logs);
    } catch (error) {
      return this.failed(this.describeFailure(error, slot, request.timeoutMs, step), logs);
    } finally {
      clearTimeout(timer);
      if (slot.alive) context?.release();
      this.release(slot);
    }
  }

  /** Disposes the warm isolates; the sandbox stays usable and makes a new isolate for its next run. */
  dispose(): void {
    for (const slot of this.idle) slot.dispose();
    this.idle = [];
    clearInterval(this.reaper);
    this.reaper = undefined;
  }

  private acquire(memoryLimitMb: number): IsolateSlot {
    while (this.idle.length > 0) {
      const slot = this.idle.pop()!;
      if (slot.alive && slot.memoryLimitMb === memoryLimitMb) {
        slot.uses++;
        return slot;
      }
      slot.dispose();
    }
    const slot = new IsolateSlot(memoryLimitMb);
    this.isolatesCreated++;
    slot.uses++;
    return slot;
  }

  private release(slot: IsolateSlot): void {
    if (!slot.alive) return;
    if (slot.uses >= this.maxUses || this.idle.length >= MAX_IDLE_ISOLATES) {
      slot.dispose();
      return;
    }
    slot.prepare();
    slot.idleSince = Date.now();
    this.idle.push(slot);
    if (this.idle.length > MIN_IDLE_ISOLATES && !this.reaper) {
      this.reaper = setInterval(() => this.reapIdle(), Math.max(1, this.idleTtlMs / 3));
      this.reaper.unref();
    }
  }

  /** Disposes the isolates beyond MIN_IDLE_ISOLATES that no run took for idleTtlMs (the oldest released first). */
  private reapIdle(): void {
    const staleBefore = Date.now() - this.idleTtlMs;
    // acquire() pops from the end, so the front holds the longest unused.
    while (this.idle.length > MIN_IDLE_ISOLATES && this.idle[0]!.idleSince < staleBefore) this.idle.shift()!.dispose();
    if (this.idle.length <= MIN_IDLE_ISOLATES) {
      clearInterval(this.reaper);
      this.reaper = undefined;
    }
  }

  private logSink(logs: LogLine[]) {
    return (level: unknown, message: unknown): void => {
      // One more than the prelude's cap, for its "lines dropped" notice.
      if (logs.length > MAX_LOG_LINES) return;
      logs.push({
        level: LEVELS.find((known) => known === level) ?? 'log',
        message: this.secrets.mask(String(message).slice(0, MAX_LOG_LINE_CHARS + 1)),
        at: Date.now(),
      });
    };
  }

  private failed(error: SandboxFailure, logs: LogLine[]): RunCodeResult {
    return { ok: false, error: { name: this.secrets.mask(error.name), message: this.secrets.mask(error.message) }, logs };
  }

  /** What went wrong, by the step it went wrong in (errors from isolated-vm carry no kind of their own). */
  private describeFailure(error: unknown, slot: IsolateSlot, timeoutMs: number, step: RunStep): SandboxFailure {
    if (isTimeout(error)) return timedOut(timeoutMs);
    const message = cut(error instanceof Error ? error.message : String(error));
    if (!slot.alive || /memory limit/i.test(message)) {
      slot.dispose();
      return { name: 'MemoryLimitError', message: `exceeded the memory limit of ${slot.memoryLimitMb} MB` };
    }
    if (step === 'compile') return { name: 'SyntaxError', message };
    if (step === 'run') {
      // The runner catches everything the code awaits; what still gets out is
      // a promise the code rejected and never handled, which isolated-vm
      // reports at the end of the run (as Node would end a process for it).
      const name = error instanceof Error && /^[A-Za-z_$][\w$]{0,199}$/.test(error.name) ? error.name : 'Error';
      return { name, message: `${message} (a promise was rejected and nothing handled it)` };
    }
    return { name: 'SandboxError', message };
  }

}

const EXPIRED = Symbol('expired');

type RunStep = 'prepare' | 'compile' | 'run';

function cut(message: string): string {
  return message.length > MAX_ERROR_MESSAGE_CHARS ? `${message.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : message;
}

function timedOut(timeoutMs: number): SandboxFailure {
  return { name: 'TimeoutError', message: `timed out after ${timeoutMs} ms` };
}
