import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/errors/index.ts';
import { SecretMask, parseSandboxMemoryMb, sandboxOptionsFromEnv, secretValuesFromEnv } from '../../../../functions/executor/sandbox/index.ts';

describe('SecretMask', () => {
  it('hides every occurrence of every secret, the longer one first', () => {
    const mask = new SecretMask(['pass', 'password-123']);
    expect(mask.mask('user:password-123@db and pass again, pass')).toBe('user:****@db and **** again, ****');
  });

  it('hides the forms a secret takes inside JSON and URLs', () => {
    const mask = new SecretMask(['p@ss "word"/1']);
    expect(mask.mask(JSON.stringify({ token: 'p@ss "word"/1' }))).toBe('{"token":"****"}');
    expect(mask.mask(`https://x.test/?t=${encodeURIComponent('p@ss "word"/1')}`)).toBe('https://x.test/?t=****');
  });

  it('treats secrets as text, not as patterns', () => {
    expect(new SecretMask(['a.c$']).mask('abc$ a.c$')).toBe('abc$ ****');
  });

  it('ignores empty values and takes secrets added later', () => {
    const mask = new SecretMask(['']);
    expect(mask.size).toBe(0);
    expect(mask.mask('nothing to hide')).toBe('nothing to hide');
    mask.add(['late-secret']);
    expect(mask.mask('a late-secret here')).toBe('a **** here');
  });
});

describe('sandbox settings from the env', () => {
  it('reads the BATON_SECRET_* values', () => {
    expect(secretValuesFromEnv({ BATON_SECRET_DB: 'one', BATON_SECRET_EMPTY: '', OTHER: 'two', BATON_SECRET_API: 'three' })).toEqual(['one', 'three']);
    const options = sandboxOptionsFromEnv({ BATON_SECRET_DB: 'db-password' });
    expect(options.secrets?.mask('x db-password y')).toBe('x **** y');
  });

  it('reads BATON_SANDBOX_MEMORY_MB, 128 by default, and names it when malformed', () => {
    expect(parseSandboxMemoryMb({})).toBe(128);
    expect(parseSandboxMemoryMb({ BATON_SANDBOX_MEMORY_MB: ' 256 ' })).toBe(256);
    for (const bad of ['4', '12.5', 'lots']) {
      expect(() => parseSandboxMemoryMb({ BATON_SANDBOX_MEMORY_MB: bad })).toThrow(ConfigError);
      expect(() => parseSandboxMemoryMb({ BATON_SANDBOX_MEMORY_MB: bad })).toThrow(`BATON_SANDBOX_MEMORY_MB: must be a whole number of megabytes, at least 8, got "${bad}"`);
    }
  });
});
