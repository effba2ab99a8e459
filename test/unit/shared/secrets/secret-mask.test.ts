import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../../shared/secrets/secret-mask.ts';

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

  it('masks URL passwords in text and known values in data, and leaves values under four characters alone', () => {
    const mask = new SecretMask(['p@ss word!', 'abc']);
    expect(mask.mask('connect x://u:p%40ss%20word!@h failed: p@ss word!')).toBe('connect x://u:****@h failed: ****');
    expect(mask.mask('mysql://root:literal@db:3306/x, abc')).toBe('mysql://root:****@db:3306/x, abc');
    expect(mask.maskValue({ auth: 'Bearer p@ss word!', list: ['p@ss word!', 1, null], 'p@ss word!': true, short: 'abc' })).toEqual({
      auth: 'Bearer ****',
      list: ['****', 1, null],
      '****': true,
      short: 'abc',
    });
  });
});
