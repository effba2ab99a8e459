import { BatonError } from './baton-error.ts';

/** A start refused because its workflow's concurrency limit is reached for its key (overflow: reject); the API answers 429. */
export class ConcurrencyLimitError extends BatonError {
  override readonly name = 'ConcurrencyLimitError';
  constructor(
    readonly workflow: string,
    readonly limit: number,
    /** When a slot is likely to be free again (the gate's estimate from recent runs). */
    readonly retryAfterMs: number,
  ) {
    super(`workflow "${workflow}" already has ${limit} run${limit === 1 ? '' : 's'} going for this concurrency key; try again later`);
  }
}
