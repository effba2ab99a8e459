import type { BlockError } from '../contract/block-error.ts';
import { BatonError } from './baton-error.ts';

/**
 * A block's own failure (user code threw, an SQL error, a bad template
 * value), thrown inside an executor. It becomes a normal reply with
 * `ok: false`, not a fault: the workflow applies the block's retry policy.
 */
export class BlockFailure extends BatonError {
  override readonly name = 'BlockFailure';
  constructor(
    readonly type: string,
    message: string,
    readonly retryable = true,
    /** The earliest the block may be tried again, when the other side said (an HTTP Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** As the reply carries it. */
  toBlockError(): BlockError & { readonly retryable: boolean } {
    return {
      type: this.type,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}
