import { BatonError } from './baton-error.ts';

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
