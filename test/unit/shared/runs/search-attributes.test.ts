import { describe, expect, it } from 'vitest';
import { visibilityString } from '../../../../shared/runs/search-attributes.ts';

describe('visibilityString', () => {
  it('quotes a value so backslashes and quotes stay inside the literal', () => {
    expect(visibilityString('plain-name')).toBe("'plain-name'");
    expect(visibilityString("o'quote")).toBe("'o\\'quote'");
    expect(visibilityString('tail\\')).toBe("'tail\\\\'");
    expect(visibilityString("x\\' OR 1=1")).toBe("'x\\\\\\' OR 1=1'");
  });
});
