import { BatonError } from './baton-error.ts';

/** No connection to the Temporal cluster: names the address and the TLS mode, so the user sees where and how. */
export class TemporalConnectError extends BatonError {
  override readonly name = 'TemporalConnectError';
  constructor(
    readonly address: string,
    readonly mode: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot connect to the Temporal server at ${address} (${mode}): ${reason}`, options);
  }
}
