import { describe, expect, it } from 'vitest';
import { isRetryableEvaluationError } from '../../../../functions/executor/retryable.ts';

describe('isRetryableEvaluationError', () => {
  it('refuses a retry for errors the same source and inputs raise again', () => {
    for (const name of ['SyntaxError', 'ReferenceError', 'TypeError', 'ResultTooLarge', 'ResultError']) {
      expect(isRetryableEvaluationError(name), name).toBe(false);
    }
  });
  it('keeps the retry policy for what user code throws itself, timeouts and the memory limit', () => {
    for (const name of ['Error', 'RangeError', 'CustomerNotFound', 'TimeoutError', 'MemoryLimitError']) {
      expect(isRetryableEvaluationError(name), name).toBe(true);
    }
  });
});
