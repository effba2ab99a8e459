import { describe, expect, it } from 'vitest';
import { apiKeyCheckFromEnv, unnamedKeyName } from '../../../../shared/auth/api-keys.ts';

const ALICE = 'alice-key-0123456789abcdef';
const BARE = 'bk_bare-key-0123456789abcdef';

describe('API key names', () => {
  it('names a key by its `name:` prefix, a bare key by its digest, and nothing for an unknown key', () => {
    const check = apiKeyCheckFromEnv({ BATON_API_KEYS: `alice:${ALICE}, ${BARE}` });
    expect(check(`Bearer ${ALICE}`)).toBe(true);
    expect(check(`Bearer alice:${ALICE}`)).toBe(false);
    expect(check.nameOf?.(`Bearer ${ALICE}`)).toBe('alice');
    expect(check.nameOf?.(`Bearer ${BARE}`)).toBe(unnamedKeyName(BARE));
    expect(unnamedKeyName(BARE)).toMatch(/^key-[0-9a-f]{8}$/);
    expect(unnamedKeyName(BARE)).not.toContain(BARE.slice(0, 8));
    expect(check.nameOf?.('Bearer someone-else-0123456789')).toBeUndefined();
    expect(check.nameOf?.(undefined)).toBeUndefined();
  });

  it('refuses a name used twice and a named key that is too short, naming BATON_API_KEYS', () => {
    expect(() => apiKeyCheckFromEnv({ BATON_API_KEYS: `ci:${ALICE},ci:${BARE}` })).toThrow(/^BATON_API_KEYS: the name "ci" is given to two keys/);
    expect(() => apiKeyCheckFromEnv({ BATON_API_KEYS: 'ci:short' })).toThrow(/^BATON_API_KEYS: each key must be at least 16 characters/);
  });
});
