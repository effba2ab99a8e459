/**
 * Which failures of user JavaScript a new attempt can get past. An attempt
 * runs the same code or template over the same stored inputs as the last, so
 * an error of the language itself (the source does not parse, names nothing
 * in scope, uses a value as what it is not) or a result that cannot be kept
 * comes back every time: retrying it only delays the failure by the block's
 * whole backoff. What the code throws itself (Error and its own classes), a
 * timeout or the memory limit may pass, and keep the block's retry policy.
 * A code block that wants a retry throws an Error of its own, not a TypeError.
 */
const DETERMINISTIC_ERRORS: ReadonlySet<string> = new Set(['SyntaxError', 'ReferenceError', 'TypeError', 'ResultTooLarge', 'ResultError']);

export function isRetryableEvaluationError(name: string): boolean {
  return !DETERMINISTIC_ERRORS.has(name);
}
