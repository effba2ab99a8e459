import { BatonError } from './baton-error.ts';

/** A namespace that is missing or unreachable, with what to do about it. */
export class NamespaceError extends BatonError {
  override readonly name = 'NamespaceError';
  constructor(
    readonly namespace: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
