/**
 * Baton's error classes. Each carries an explicit `name` because errors are
 * recognised by name across realms (isolated-vm, Temporal failure conversion)
 * where `instanceof` fails.
 */

export class BatonError extends Error {
  override readonly name: string = 'BatonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A setting is missing or malformed; start-up stops with this one line. */
export class ConfigError extends BatonError {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

export interface DefinitionIssue {
  /** Where, as `blocks[2].after[0]`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

/** A workflow definition failed to parse or validate; lists every issue with its path. */
export class DefinitionError extends BatonError {
  override readonly name = 'DefinitionError';
  constructor(
    readonly source: string,
    readonly issues: readonly DefinitionIssue[],
  ) {
    super(
      `${source}: ${issues.length} error${issues.length === 1 ? '' : 's'}\n` +
        issues.map((issue) => `  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`).join('\n'),
    );
  }
}

/** Encryption or decryption failed. Never carries plaintext or key material. */
export class CodecError extends BatonError {
  override readonly name = 'CodecError';
}

/** The result store could not read or write an object. */
export class StoreError extends BatonError {
  override readonly name = 'StoreError';
  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`result store ${key}: ${message}`, options);
  }
}

/** An executor envelope or reply is malformed. */
export class EnvelopeError extends BatonError {
  override readonly name = 'EnvelopeError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
