import { BatonError } from './baton-error.ts';

/** A version operation that cannot be done: no such workflow or version (404), or a request that cannot be (400). */
export class VersionError extends BatonError {
  override readonly name = 'VersionError';
  constructor(
    readonly reason: 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
