import { BatonError } from './baton-error.ts';

/** Encryption or decryption failed. Never carries plaintext or key material. */
export class CodecError extends BatonError {
  override readonly name = 'CodecError';
}
