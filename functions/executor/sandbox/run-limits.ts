/**
 * The limits every sandbox run request carries (JavaScript and Python alike),
 * checked the same way for both.
 */

/**
 * isolated-vm's timeout ends a CPU loop and leaves the isolate usable; the
 * host timer, this much later, ends what it cannot see (a promise that never
 * settles) by disposing the isolate.
 */
export const HOST_TIMER_GRACE_MS = 50;
/** The longest timeout a host timer can hold (a 32-bit signed delay), less the grace. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1 - HOST_TIMER_GRACE_MS;

export function wholeNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** What is wrong with a request's timeout and result limit, if anything. */
export function runLimitsProblem(request: { readonly timeoutMs: unknown; readonly maxResultBytes: unknown }): string | undefined {
  if (!wholeNumberIn(request.timeoutMs, 1, MAX_TIMEOUT_MS)) return `timeoutMs must be a whole number from 1 to ${MAX_TIMEOUT_MS}, got ${String(request.timeoutMs)}`;
  if (!wholeNumberIn(request.maxResultBytes, 1, Number.MAX_SAFE_INTEGER)) return `maxResultBytes must be a positive whole number, got ${String(request.maxResultBytes)}`;
  return undefined;
}
