import { BatonError } from './baton-error.ts';

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
