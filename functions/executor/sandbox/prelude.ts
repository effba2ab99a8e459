/**
 * The code that prepares each fresh context before user code runs, compiled
 * once per isolate. It runs in the isolate, so it takes the few host values
 * it needs from temporary globals (deleted at once) and keeps them in a
 * closure user code cannot reach.
 *
 * It removes the APIs whose work escapes a run's time or memory limit:
 * WebAssembly memory is allocated outside the limited heap, and
 * FinalizationRegistry callbacks, Atomics.waitAsync and WebAssembly
 * compilation run as later isolate tasks, outside the run's timeout and
 * possibly during the next block's run on the same isolate.
 *
 * Every run ends in one string, built here with functions captured before
 * user code could replace them (see RunOutcome in outcome.ts for the tags).
 */

/** Globals set by the host for the prelude; it deletes them before user code runs. */
export const PRELUDE_INPUT = '__batonInput';
export const PRELUDE_LOG = '__batonLog';
/** The global a run's script calls; it deletes itself before calling user code. */
export const RUNNER = '__batonRun';

export const REMOVED_GLOBALS = ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry'] as const;

export const MAX_LOG_LINES = 1000;
export const MAX_LOG_LINE_CHARS = 8192;
export const MAX_ERROR_MESSAGE_CHARS = 4096;
/** Up to this length an oversized string result is measured exactly; beyond it, by its length. */
const EXACT_SIZE_MAX_CHARS = 1_000_000;

/** What the host hands the prelude, as one JSON string. */
export interface PreludeInput {
  /** The scope's values (JSON drops undefined, so those names are listed in `undefinedNames`). */
  readonly values: Record<string, unknown>;
  readonly undefinedNames: readonly string[];
  readonly maxResultBytes: number;
}

export const PRELUDE_SOURCE = `'use strict';
(() => {
  const g = globalThis;
  const log = g.${PRELUDE_LOG};
  const input = g.${PRELUDE_INPUT};
  delete g.${PRELUDE_LOG};
  delete g.${PRELUDE_INPUT};
  for (const name of ${JSON.stringify(REMOVED_GLOBALS)}) delete g[name];

  const call = Function.prototype.call;
  const uncurry = (fn) => call.bind(fn);
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const toText = String;
  const ErrorType = Error;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const slice = uncurry(String.prototype.slice);
  const charCodeAt = uncurry(String.prototype.charCodeAt);

  const { values, undefinedNames, maxResultBytes } = parse(input);

  const cut = (text, max) => (text.length > max ? slice(text, 0, max) + '…' : text);
  const textOf = (value) => {
    try {
      return toText(value);
    } catch {
      return '(a value that cannot be shown)';
    }
  };
  const format = (value) => {
    if (typeof value === 'string') return value;
    try {
      if (value instanceof ErrorType) return textOf(value.stack || value);
      const json = stringify(value);
      return json === undefined ? textOf(value) : json;
    } catch {
      return textOf(value);
    }
  };

  let lines = 0;
  let dropped = 0;
  const write = (level, args) => {
    if (lines >= ${MAX_LOG_LINES}) {
      dropped++;
      return;
    }
    lines++;
    let text = '';
    for (let i = 0; i < args.length; i++) {
      if (i > 0) text += ' ';
      text += format(args[i]);
      if (text.length > ${MAX_LOG_LINE_CHARS}) break;
    }
    log(level, cut(text, ${MAX_LOG_LINE_CHARS}));
  };
  const console = freeze({
    log: (...args) => write('log', args),
    info: (...args) => write('info', args),
    warn: (...args) => write('warn', args),
    error: (...args) => write('error', args),
    debug: (...args) => write('debug', args),
  });
  defineProperty(g, 'console', { value: console, writable: false, enumerable: false, configurable: false });

  for (const name of undefinedNames) values[name] = undefined;
  for (const name in values) {
    defineProperty(g, name, { value: values[name], writable: true, enumerable: false, configurable: false });
  }

  const describe = (thrown) => {
    let name = 'Error';
    let message;
    try {
      if (thrown !== null && (typeof thrown === 'object' || typeof thrown === 'function')) {
        const ownName = thrown.name;
        const ownMessage = thrown.message;
        if (typeof ownName === 'string' && ownName !== '') name = ownName;
        message = typeof ownMessage === 'string' ? ownMessage : textOf(thrown);
      } else {
        message = textOf(thrown);
      }
    } catch {
      message = 'the thrown value could not be read';
    }
    return stringify({ name: cut(name, 200), message: cut(message, ${MAX_ERROR_MESSAGE_CHARS}) });
  };

  // UTF-8 bytes of a JSON text (which has no lone surrogates), counted here so
  // an oversized result never has to be copied out to be measured.
  const utf8Length = (text) => {
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const code = charCodeAt(text, i);
      if (code < 0x80) bytes += 1;
      else if (code < 0x800) bytes += 2;
      else if (code >= 0xd800 && code < 0xdc00) { bytes += 4; i++; }
      else bytes += 3;
    }
    return bytes;
  };

  const finish = (value) => {
    if (value === undefined) return 'u';
    // A long string needs no serialising to know it is too large, and
    // serialising one (flattening a repeated string first) could take more
    // memory than the isolate has: its length gives a lower bound instead.
    if (typeof value === 'string' && value.length + 2 > maxResultBytes && value.length > ${EXACT_SIZE_MAX_CHARS}) {
      return 'b' + (value.length + 2);
    }
    let json;
    try {
      json = stringify(value);
    } catch (error) {
      return 'j' + describe(error);
    }
    if (json === undefined) return 'u';
    if (json.length > maxResultBytes) return 'B' + utf8Length(json);
    return 'r' + json;
  };

  const run = async (block) => {
    delete g.${RUNNER};
    let outcome;
    try {
      outcome = finish(await block());
    } catch (error) {
      outcome = 'e' + describe(error);
    }
    if (dropped > 0) log('warn', dropped + ' more console lines dropped');
    return outcome;
  };
  defineProperty(g, '${RUNNER}', { value: run, writable: false, enumerable: false, configurable: true });
})();
`;

/** The script of one run: the prelude's runner applied to the function expression. */
export function runnerSource(functionSource: string): string {
  // Same line as the function's start, so line numbers in stacks stay those of the source.
  return `${RUNNER}(${functionSource}\n)`;
}
