import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyRing, generateKey, keyIdOf, keyRingFromEnv, type KeyRing } from '../../../../shared/codec/key-ring.ts';
import { CodecError, ConfigError } from '../../../../shared/errors/index.ts';

const PLAINTEXT = 'SECRET-PLAINTEXT-MARKER-7f3a';
const plain = Buffer.from(PLAINTEXT, 'utf8');

function ringOf(...entries: Array<[string, string]>): KeyRing {
  return createKeyRing(entries.map(([kid, key]) => [kid, Buffer.from(key, 'base64')] as const));
}

/** Runs `fn`, expects it to throw, and returns the error. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw, got none');
}

// Layout: [0x01][kid length][kid][iv 12][tag 16][body]
const KID = 'k1';
const IV_AT = 2 + KID.length;
const TAG_AT = IV_AT + 12;
const BODY_AT = TAG_AT + 16;

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('key ring seal/open', () => {
  const key = generateKey();
  const ring = ringOf([KID, key]);

  it('round-trips, and the sealed bytes do not contain the plaintext', () => {
    const sealed = ring.seal(plain);
    expect(sealed.includes(plain)).toBe(false);
    expect(ring.open(sealed).toString('utf8')).toBe(PLAINTEXT);
    // a Uint8Array view (not a Buffer) opens too
    const view = new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    expect(ring.open(view).toString('utf8')).toBe(PLAINTEXT);
  });

  it('seals chunks as their concatenation', () => {
    const chunks = [plain.subarray(0, 5), new Uint8Array(0), plain.subarray(5)];
    expect(ring.open(ring.seal(chunks)).toString('utf8')).toBe(PLAINTEXT);
    expect(ring.open(ring.seal(chunks, 'ctx'), 'ctx').toString('utf8')).toBe(PLAINTEXT);
  });

  it('round-trips with aad and refuses a different or missing aad', () => {
    const sealed = ring.seal(plain, 'runs/a/trigger');
    expect(ring.open(sealed, 'runs/a/trigger').toString('utf8')).toBe(PLAINTEXT);
    expect(() => ring.open(sealed, 'runs/b/trigger')).toThrow(/authentication/);
    expect(() => ring.open(sealed)).toThrow(CodecError);
  });

  it('names the missing key id when the ring lacks it', () => {
    const other = ringOf(['other', generateKey()]);
    const error = thrown(() => other.open(ring.seal(plain)));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toContain(`"${KID}"`);
    expect(error.message).toContain('not in the key ring');
  });

  it.each([
    ['body', BODY_AT],
    ['tag', TAG_AT + 3],
    ['iv', IV_AT + 5],
  ])('fails authentication when a byte in the %s is flipped', (_part, at) => {
    const sealed = ring.seal(plain);
    const error = thrown(() => ring.open(flipped(sealed, at)));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toMatch(/authentication/);
  });

  it('refuses truncated ciphertext, in the header and in the body', () => {
    const sealed = ring.seal(plain);
    const header = thrown(() => ring.open(sealed.subarray(0, BODY_AT - 1)));
    expect(header).toBeInstanceOf(CodecError);
    expect(header.message).toMatch(/truncated/);
    const body = thrown(() => ring.open(sealed.subarray(0, sealed.length - 1)));
    expect(body).toBeInstanceOf(CodecError);
    expect(body.message).toMatch(/authentication/);
    expect(() => ring.open(Buffer.alloc(0))).toThrow(CodecError);
  });

  it('refuses a wrong format byte', () => {
    const sealed = Buffer.from(ring.seal(plain));
    sealed[0] = 0x02;
    const error = thrown(() => ring.open(sealed));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toMatch(/unknown format/);
  });

  it('never puts key material or plaintext in its error messages', () => {
    const sealed = ring.seal(plain, 'aad');
    const messages = [
      thrown(() => ring.open(flipped(sealed, BODY_AT), 'aad')).message,
      thrown(() => ring.open(sealed, 'other')).message,
      thrown(() => ringOf(['other', generateKey()]).open(sealed)).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain(key);
      expect(message).not.toContain(PLAINTEXT);
    }
  });
});

describe('key rotation', () => {
  const oldKey = generateKey();
  const newKey = generateKey();
  const oldRing = ringOf(['old', oldKey]);
  const rotated = ringOf(['new', newKey], ['old', oldKey]);

  it('opens what the old ring sealed and seals with the new key', () => {
    expect(rotated.currentKeyId).toBe('new');
    expect(rotated.keyIds).toEqual(['new', 'old']);
    expect(rotated.open(oldRing.seal(plain, 'k'), 'k').toString('utf8')).toBe(PLAINTEXT);
    expect(rotated.open(oldRing.seal(plain)).toString('utf8')).toBe(PLAINTEXT);
    const sealedNew = rotated.seal(plain);
    expect(sealedNew.subarray(2, 2 + 3).toString('utf8')).toBe('new');
    expect(() => oldRing.open(sealedNew)).toThrow(/"new"/);
    expect(ringOf(['new', newKey]).open(sealedNew).toString('utf8')).toBe(PLAINTEXT);
  });

  it('refuses an empty ring and a key of the wrong size', () => {
    expect(() => createKeyRing([])).toThrow(ConfigError);
    expect(() => createKeyRing([['a', randomBytes(16)]])).toThrow(/not 32 bytes/);
  });
});

describe('keyRingFromEnv', () => {
  const key = generateKey();
  const key2 = generateKey();

  it('builds a ring from ENCRYPTION_KEY with a stable id', () => {
    const ring = keyRingFromEnv({ ENCRYPTION_KEY: key });
    expect(ring.currentKeyId).toBe(keyIdOf(Buffer.from(key, 'base64')));
    expect(ring.currentKeyId).toMatch(/^k-[0-9a-f]{8}$/);
    expect(keyRingFromEnv({ ENCRYPTION_KEY: ` ${key} ` }).open(ring.seal(plain)).toString('utf8')).toBe(PLAINTEXT);
  });

  it('gives the same ring for the same setting, so clients and worker share one data converter', () => {
    expect(keyRingFromEnv({ ENCRYPTION_KEY: key })).toBe(keyRingFromEnv({ ENCRYPTION_KEY: ` ${key}` }));
    expect(keyRingFromEnv({ BATON_ENCRYPTION_KEYS: `a:${key}` })).toBe(keyRingFromEnv({ BATON_ENCRYPTION_KEYS: `a:${key}` }));
    expect(keyRingFromEnv({ BATON_ENCRYPTION_KEYS: `a:${key}` })).not.toBe(keyRingFromEnv({ ENCRYPTION_KEY: key }));
    expect(keyRingFromEnv({ ENCRYPTION_KEY: key })).not.toBe(keyRingFromEnv({ ENCRYPTION_KEY: key2 }));
  });

  it('builds a ring from BATON_ENCRYPTION_KEYS, first key current, and prefers it over ENCRYPTION_KEY', () => {
    const ring = keyRingFromEnv({ BATON_ENCRYPTION_KEYS: `a:${key}, b:${key2}`, ENCRYPTION_KEY: 'ignored' });
    expect(ring.currentKeyId).toBe('a');
    expect(ring.keyIds).toEqual(['a', 'b']);
    expect(ring.open(ringOf(['b', key2]).seal(plain)).toString('utf8')).toBe(PLAINTEXT);
  });

  const shortKey = randomBytes(16).toString('base64');
  const cases: Array<[string, Record<string, string | undefined>, string, RegExp, string[]]> = [
    ['missing', {}, 'ENCRYPTION_KEY', /not set/, []],
    ['blank', { ENCRYPTION_KEY: '   ', BATON_ENCRYPTION_KEYS: '' }, 'ENCRYPTION_KEY', /not set/, []],
    ['bad base64', { ENCRYPTION_KEY: `${key.slice(0, 20)}!!${key.slice(22)}` }, 'ENCRYPTION_KEY', /32 bytes in base64/, [key.slice(0, 20)]],
    ['wrong length', { ENCRYPTION_KEY: shortKey }, 'ENCRYPTION_KEY', /32 bytes/, [shortKey]],
    ['ring bad base64', { BATON_ENCRYPTION_KEYS: `a:${key}x` }, 'BATON_ENCRYPTION_KEYS', /32 bytes in base64/, [key]],
    ['ring wrong length', { BATON_ENCRYPTION_KEYS: `a:${shortKey}` }, 'BATON_ENCRYPTION_KEYS', /32 bytes/, [shortKey]],
    ['bad kid', { BATON_ENCRYPTION_KEYS: `bad kid!:${key}` }, 'BATON_ENCRYPTION_KEYS', /entry 1 must be kid:base64/, [key]],
    ['no colon', { BATON_ENCRYPTION_KEYS: `a:${key2},${key}` }, 'BATON_ENCRYPTION_KEYS', /entry 2 must be kid:base64/, [key, key2]],
    ['duplicate kid', { BATON_ENCRYPTION_KEYS: `a:${key},a:${key2}` }, 'BATON_ENCRYPTION_KEYS', /"a" appears twice/, [key, key2]],
  ];

  it.each(cases)('%s is a ConfigError naming the setting, without key material', (_name, env, setting, pattern, secrets) => {
    const error = thrown(() => keyRingFromEnv(env));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(setting);
    expect(error.message.startsWith(`${setting}: `)).toBe(true);
    expect(error.message).toMatch(pattern);
    for (const secret of secrets) expect(error.message).not.toContain(secret);
  });
});

describe('sealParts / openParts', () => {
  const ring = ringOf(['p1', generateKey()]);

  it('encrypts each part in place, as one stream under one tag', () => {
    const parts = [plain.subarray(0, 7), new Uint8Array(0), plain.subarray(7)];
    const sealed = ring.sealParts(parts, 'ctx');
    expect(sealed.keyId).toBe('p1');
    expect(sealed.parts.map((part) => part.length)).toEqual(parts.map((part) => part.length));
    expect(Buffer.concat(ring.openParts(sealed, 'ctx')).toString('utf8')).toBe(PLAINTEXT);
  });

  it('fails authentication when parts are swapped, dropped or changed, or the aad differs', () => {
    const sealed = ring.sealParts([Buffer.from('head'), Buffer.from('body')], 'ctx');
    const variants = [
      { ...sealed, parts: [sealed.parts[1]!, sealed.parts[0]!] },
      { ...sealed, parts: [sealed.parts[0]!] },
      { ...sealed, parts: [sealed.parts[0]!, flipped(sealed.parts[1]!, 0)] },
      { ...sealed, tag: flipped(Buffer.from(sealed.tag), 0) },
    ];
    for (const variant of variants) expect(() => ring.openParts(variant, 'ctx')).toThrow(/authentication/);
    expect(() => ring.openParts(sealed, 'other')).toThrow(/authentication/);
    expect(() => ring.openParts({ ...sealed, iv: sealed.iv.subarray(0, 4) }, 'ctx')).toThrow(/truncated/);
    expect(() => ring.openParts({ ...sealed, keyId: 'nope' }, 'ctx')).toThrow(/"nope", which is not in the key ring \(it holds "p1"\)/);
  });
});
