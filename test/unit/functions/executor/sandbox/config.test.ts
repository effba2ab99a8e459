import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../shared/errors/index.ts';
import { parseSandboxMemoryMb, sandboxOptionsFromEnv } from '../../../../../functions/executor/sandbox/index.ts';
import { secretValuesFromEnv } from '../../../../../shared/secrets/secret-mask.ts';

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
