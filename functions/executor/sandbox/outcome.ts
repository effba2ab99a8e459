/**
 * Reads the one string a run's script ends with (built by the prelude) into
 * a result or a failure. The string is checked here as untrusted input: user
 * code cannot forge a reference or an object through it, only a string.
 *
 * Tags: `u` no result; `r<json>` a result; `b<n>` a string result of at
 * least n bytes; `B<n>` a result of n bytes, both over the limit; `e<json>`
 * the code threw { name, message }; `j<json>` the result is not JSON.
 */

export interface SandboxFailure {
  readonly name: string;
  readonly message: string;
}

export type Outcome = { readonly ok: true; readonly json: string | undefined } | { readonly ok: false; readonly error: SandboxFailure };

export function tooLarge(bytes: number, maxResultBytes: number, atLeast = false): SandboxFailure {
  return {
    name: 'ResultTooLarge',
    message: `result is ${atLeast ? 'at least ' : ''}${bytes} bytes, over the limit of ${maxResultBytes} bytes (BATON_MAX_RESULT_BYTES)`,
  };
}

function thrown(text: string): SandboxFailure {
  try {
    const value = JSON.parse(text) as { name?: unknown; message?: unknown };
    if (typeof value.name === 'string' && typeof value.message === 'string') return { name: value.name, message: value.message };
  } catch {
    // fall through: not what the prelude writes
  }
  return { name: 'SandboxError', message: 'the sandbox returned a malformed error' };
}

export function readOutcome(raw: unknown, maxResultBytes: number): Outcome {
  if (typeof raw !== 'string' || raw === '') {
    return { ok: false, error: { name: 'SandboxError', message: 'the sandbox returned no outcome' } };
  }
  const body = raw.slice(1);
  switch (raw[0]) {
    case 'u':
      return { ok: true, json: undefined };
    case 'r': {
      const bytes = Buffer.byteLength(body);
      if (bytes > maxResultBytes) return { ok: false, error: tooLarge(bytes, maxResultBytes) };
      return { ok: true, json: body };
    }
    case 'b':
    case 'B':
      return { ok: false, error: tooLarge(Number(body), maxResultBytes, raw[0] === 'b') };
    case 'e':
      return { ok: false, error: thrown(body) };
    case 'j': {
      const cause = thrown(body);
      return { ok: false, error: { name: 'ResultError', message: `result is not JSON-serialisable: ${cause.message}` } };
    }
    default:
      return { ok: false, error: { name: 'SandboxError', message: 'the sandbox returned an unknown outcome' } };
  }
}
