/**
 * The base of Baton's error classes. Each class has a file of its own and an
 * explicit `name`, because errors are recognised by name across realms
 * (isolated-vm, Temporal failure conversion), where `instanceof` fails.
 */
export class BatonError extends Error {
  override readonly name: string = 'BatonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A thrown value's message, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
