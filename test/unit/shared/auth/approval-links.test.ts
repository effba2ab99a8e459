import { describe, expect, it } from 'vitest';
import { apiKeyCheckFromEnv, unnamedKeyName } from '../../../../shared/auth/api-keys.ts';
import { approvalLinksFromEnv } from '../../../../shared/auth/approval-links.ts';
import { generateKey } from '../../../../shared/codec/index.ts';

const KEY_A = 'ak_aaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'ak_bbbbbbbbbbbbbbbbbbbb';

describe('API key names', () => {
  it('names keys given as name:key, and bare keys by their place', () => {
    const check = apiKeyCheckFromEnv({ BATON_API_KEYS: `alice:${KEY_A}, ${KEY_B}` });
    expect(check(`Bearer ${KEY_A}`)).toBe(true);
    expect(check.nameOf?.(`Bearer ${KEY_A}`)).toBe('alice');
    expect(check.nameOf?.(`Bearer ${KEY_B}`)).toBe(unnamedKeyName(KEY_B));
    expect(check(`Bearer alice:${KEY_A}`)).toBe(false);
    expect(check.nameOf?.('Bearer ak_cccccccccccccccccccc')).toBeUndefined();
  });

  it('refuses a short key, a name given twice, and an empty list, naming the setting', () => {
    expect(() => apiKeyCheckFromEnv({ BATON_API_KEYS: 'alice:short' })).toThrow(/^BATON_API_KEYS: each key must be at least 16 characters$/);
    expect(() => apiKeyCheckFromEnv({ BATON_API_KEYS: `alice:${KEY_A},alice:${KEY_B}` })).toThrow(/^BATON_API_KEYS: the name "alice" is given to two keys$/);
    expect(() => apiKeyCheckFromEnv({ BATON_API_KEYS: ' , ' })).toThrow(/^BATON_API_KEYS: not set/);
  });
});

describe('approval links', () => {
  const env = { ENCRYPTION_KEY: generateKey(), BATON_API_URL: 'https://baton.example.com/' };

  it('open only the run and block they were made for', () => {
    const links = approvalLinksFromEnv(env);
    const target = { runId: 'run-1:2026', blockId: 'sign_off' };
    const token = links.token(target);
    expect(links.url(target)).toBe(`https://baton.example.com/v1/approvals/${token}`);
    expect(links.open(token)).toEqual(target);
    const [run, block, mac] = token.split('.') as [string, string, string];
    expect(links.open(`${run}.${Buffer.from('other').toString('base64url')}.${mac}`)).toBeUndefined();
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    expect(links.open(`${run}.${block}.${flip(mac[0]!)}${mac.slice(1)}`)).toBeUndefined();
    // The last character carries padding bits too: only the one spelling opens.
    const last = mac.at(-1)!;
    const twin = String.fromCharCode(last.charCodeAt(0) ^ 1);
    expect(links.open(`${run}.${block}.${mac.slice(0, -1)}${twin}`)).toBeUndefined();
    expect(links.open(`${run}.${block}`)).toBeUndefined();
    expect(approvalLinksFromEnv({ ENCRYPTION_KEY: generateKey() }).open(token)).toBeUndefined();
  });

  it('keep verifying after a key rotation (the first key signs, every key verifies)', () => {
    const old = generateKey();
    const before = approvalLinksFromEnv({ BATON_ENCRYPTION_KEYS: `k1:${old}` }).token({ runId: 'r', blockId: 'b' });
    const rotated = approvalLinksFromEnv({ BATON_ENCRYPTION_KEYS: `k2:${generateKey()},k1:${old}` });
    expect(rotated.open(before)).toEqual({ runId: 'r', blockId: 'b' });
    expect(rotated.token({ runId: 'r', blockId: 'b' })).not.toBe(before);
  });

  it('use BATON_APPROVAL_SECRET when set, and refuse a short one without echoing it', () => {
    const secret = 'x'.repeat(32);
    const a = approvalLinksFromEnv({ ...env, BATON_APPROVAL_SECRET: secret });
    const b = approvalLinksFromEnv({ ENCRYPTION_KEY: generateKey(), BATON_APPROVAL_SECRET: secret });
    expect(b.open(a.token({ runId: 'r', blockId: 'b' }))).toEqual({ runId: 'r', blockId: 'b' });
    expect(() => approvalLinksFromEnv({ ...env, BATON_APPROVAL_SECRET: 'too-short-secret' })).toThrow(/^BATON_APPROVAL_SECRET: must be at least 32 characters$/);
  });
});
