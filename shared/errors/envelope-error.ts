import { BatonError } from './baton-error.ts';

/** An executor envelope or reply is malformed. */
export class EnvelopeError extends BatonError {
  override readonly name = 'EnvelopeError';
}
