import { describe, expect, it } from 'vitest';
import { startRateFromEnv } from '../../../../functions/api/config.ts';
import { startRateLimit, type StartRateLimit } from '../../../../functions/api/start-rate.ts';

const KEY_A = 'Bearer key-a-0123456789abcdef';
const KEY_B = 'Bearer key-b-0123456789abcdef';

/** The HttpError a refused start throws, or undefined when it was let through. */
function refusal(limit: StartRateLimit, authorization: string) {
  try {
    limit(authorization);
    return undefined;
  } catch (error) {
    return error as { name: string; status: number; code: string; headers: Record<string, string>; message: string };
  }
}

describe('the start rate per API key', () => {
  it('lets a burst through, refuses the next with 429 and Retry-After, and refills at the rate', () => {
    let now = 1_000_000;
    const limit = startRateLimit({ rate: { count: 6, perMs: 60_000 }, burst: 3 }, () => now);
    for (let i = 0; i < 3; i += 1) expect(refusal(limit, KEY_A)).toBeUndefined();
    const refused = refusal(limit, KEY_A);
    expect(refused).toMatchObject({ name: 'HttpError', status: 429, code: 'rate_limited', headers: { 'retry-after': '10' } });
    expect(refused?.message).not.toContain('key-a');
    // Another key has a bucket of its own.
    expect(refusal(limit, KEY_B)).toBeUndefined();
    now += 4_000;
    expect(refusal(limit, KEY_A)?.headers['retry-after']).toBe('6');
    now += 6_000;
    expect(refusal(limit, KEY_A)).toBeUndefined();
    expect(refusal(limit, KEY_A)).toBeDefined();
    // A long quiet spell refills up to the burst, not beyond it.
    now += 3_600_000;
    for (let i = 0; i < 3; i += 1) expect(refusal(limit, KEY_A)).toBeUndefined();
    expect(refusal(limit, KEY_A)).toBeDefined();
  });

  it('asks for at least one second', () => {
    const limit = startRateLimit({ rate: { count: 100, perMs: 1000 }, burst: 1 }, () => 0);
    limit(KEY_A);
    expect(refusal(limit, KEY_A)?.headers['retry-after']).toBe('1');
  });
});

describe('its settings', () => {
  it('are off unless BATON_RUN_START_RATE is set, and the burst defaults to the rate', () => {
    expect(startRateFromEnv({})).toBeUndefined();
    expect(startRateFromEnv({ BATON_RUN_START_RATE: ' ' })).toBeUndefined();
    expect(startRateFromEnv({ BATON_RUN_START_RATE: '600/m' })).toEqual({ rate: { count: 600, perMs: 60_000 }, burst: 600 });
    expect(startRateFromEnv({ BATON_RUN_START_RATE: '10/s', BATON_RUN_START_BURST: '50' })).toEqual({ rate: { count: 10, perMs: 1000 }, burst: 50 });
  });

  it('name the bad setting', () => {
    for (const rate of ['10', '10/d', '0/s', '-1/s', 'ten/s', '1.5/s']) {
      expect(() => startRateFromEnv({ BATON_RUN_START_RATE: rate })).toThrow(/BATON_RUN_START_RATE: must be a rate like 10\/s/);
    }
    expect(() => startRateFromEnv({ BATON_RUN_START_RATE: '10/s', BATON_RUN_START_BURST: '0' })).toThrow(/BATON_RUN_START_BURST/);
    expect(() => startRateFromEnv({ BATON_RUN_START_BURST: '5' })).toThrow(/BATON_RUN_START_BURST: is set but BATON_RUN_START_RATE is not/);
  });
});
