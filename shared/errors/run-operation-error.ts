import { BatonError } from './baton-error.ts';

/** A run operation that cannot be done, with the reason for the caller (the API maps it to 404, 409 or 400). */
export class RunOperationError extends BatonError {
  override readonly name = 'RunOperationError';
  constructor(
    readonly reason: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
