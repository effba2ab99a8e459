/**
 * The deployment's key ring: AES-256-GCM keys by id. The first key encrypts,
 * every key decrypts, so a new key can be put in front while objects and runs
 * sealed under the old one are still read.
 *
 * Sealed bytes: [version 0x01][kid length][kid utf-8][iv 12][tag 16][ciphertext].
 * The key id travels with the ciphertext, so decryption never guesses a key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CodecError, ConfigError } from '../errors/index.ts';

const FORMAT_VERSION = 0x01;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Ciphertext in pieces, as one GCM stream: each part is the encryption of the
 * plaintext part at the same index, and the tag covers them all in order.
 * Lets a caller keep parts apart (a Temporal payload's data) instead of copying
 * them into one buffer.
 */
export interface SealedParts {
  readonly keyId: string;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly parts: readonly Uint8Array[];
}

export interface KeyRing {
  /** Id of the key that encrypts. */
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  /**
   * Encrypts into self-describing bytes; `aad` binds the ciphertext to its
   * context (a store key, say). Several chunks are sealed as their concatenation.
   */
  seal(plaintext: Uint8Array | readonly Uint8Array[], aad?: string): Buffer;
  open(sealed: Uint8Array, aad?: string): Buffer;
  /** Encrypts each part with the current key, in one stream; nothing is copied together. */
  sealParts(plaintext: readonly Uint8Array[], aad?: string): SealedParts & { readonly parts: Buffer[] };
  /** Decrypts what sealParts made; throws a CodecError naming the cause, never the data. */
  openParts(sealed: SealedParts, aad?: string): Buffer[];
}

function decodeKey(setting: string, text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text.trim()) {
    throw new ConfigError(setting, `a key must be ${KEY_BYTES} bytes in base64 (try \`baton keygen\`)`);
  }
  return key;
}

/** A stable short id for a lone ENCRYPTION_KEY, so rotating to a key ring later keeps reading old data. */
export function keyIdOf(key: Buffer): string {
  return `k-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Rings built from the environment, by a digest of the setting: every client,
 * worker and store in a process that reads the same setting gets the same ring,
 * and so the same memoised data converter (data-converter.ts).
 */
const ringsBySetting = new Map<string, KeyRing>();

/** Builds the ring from `BATON_ENCRYPTION_KEYS` (`kid:base64,...`) or `ENCRYPTION_KEY`. */
export function keyRingFromEnv(env: Record<string, string | undefined>): KeyRing {
  const ring = env.BATON_ENCRYPTION_KEYS?.trim();
  const single = env.ENCRYPTION_KEY?.trim();
  const setting = ring ? `BATON_ENCRYPTION_KEYS\0${ring}` : `ENCRYPTION_KEY\0${single ?? ''}`;
  const memoKey = createHash('sha256').update(setting).digest('base64');
  const known = ringsBySetting.get(memoKey);
  if (known) return known;
  const built = ring ? ringFromList(ring) : ringFromSingleKey(single);
  ringsBySetting.set(memoKey, built);
  return built;
}

function ringFromList(list: string): KeyRing {
  const entries = list.split(',').map((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon).trim();
    if (colon < 0 || !KID_PATTERN.test(kid)) {
      throw new ConfigError('BATON_ENCRYPTION_KEYS', `entry ${index + 1} must be kid:base64 with kid of [A-Za-z0-9._-]`);
    }
    return [kid, decodeKey('BATON_ENCRYPTION_KEYS', entry.slice(colon + 1))] as const;
  });
  return createKeyRing(entries);
}

function ringFromSingleKey(single: string | undefined): KeyRing {
  if (!single) {
    throw new ConfigError('ENCRYPTION_KEY', 'not set (nor BATON_ENCRYPTION_KEYS); make one with `baton keygen`');
  }
  const key = decodeKey('ENCRYPTION_KEY', single);
  return createKeyRing([[keyIdOf(key), key]]);
}

export function createKeyRing(entries: ReadonlyArray<readonly [string, Buffer]>): KeyRing {
  const first = entries[0];
  if (!first) throw new ConfigError('BATON_ENCRYPTION_KEYS', 'no key given');
  const keys = new Map<string, Buffer>();
  for (const [kid, key] of entries) {
    if (keys.has(kid)) throw new ConfigError('BATON_ENCRYPTION_KEYS', `key id "${kid}" appears twice`);
    if (key.length !== KEY_BYTES) throw new ConfigError('BATON_ENCRYPTION_KEYS', `key "${kid}" is not ${KEY_BYTES} bytes`);
    keys.set(kid, key);
  }
  const [currentKeyId, currentKey] = first;
  const kidBytes = Buffer.from(currentKeyId, 'utf8');
  const header = Buffer.from([FORMAT_VERSION, kidBytes.length, ...kidBytes]);
  const knownIds = () => [...keys.keys()].map((id) => `"${id}"`).join(', ');

  const sealParts: KeyRing['sealParts'] = (plaintext, aad) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
    const parts = plaintext.map((part) => cipher.update(part));
    // GCM is a stream mode: final() yields nothing, so every part is complete as it is.
    cipher.final();
    return { keyId: currentKeyId, iv, tag: cipher.getAuthTag(), parts };
  };

  const openParts: KeyRing['openParts'] = (sealed, aad) => {
    const key = keys.get(sealed.keyId);
    if (!key) {
      throw new CodecError(`ciphertext was sealed with key "${sealed.keyId}", which is not in the key ring (it holds ${knownIds()})`);
    }
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) throw new CodecError('ciphertext is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAuthTag(sealed.tag);
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    const parts = sealed.parts.map((part) => decipher.update(part));
    try {
      decipher.final();
      return parts;
    } catch {
      throw new CodecError(
        `ciphertext failed authentication with key "${sealed.keyId}": it was tampered with or truncated, ` +
          `sealed for another place, or key "${sealed.keyId}" here is not the key that sealed it`,
      );
    }
  };

  return {
    currentKeyId,
    keyIds: [...keys.keys()],
    sealParts,
    openParts,
    seal(plaintext, aad) {
      const sealed = sealParts(isChunkList(plaintext) ? plaintext : [plaintext], aad);
      return Buffer.concat([header, sealed.iv, sealed.tag, ...sealed.parts]);
    },
    open(sealed, aad) {
      const bytes = Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      if (bytes.length < 2 || bytes[0] !== FORMAT_VERSION) {
        throw new CodecError('ciphertext has an unknown format (not sealed by Baton, or corrupted)');
      }
      const kidLength = bytes[1] ?? 0;
      const bodyStart = 2 + kidLength + IV_BYTES + TAG_BYTES;
      if (bytes.length < bodyStart) throw new CodecError('ciphertext is truncated');
      const [body] = openParts(
        {
          keyId: bytes.subarray(2, 2 + kidLength).toString('utf8'),
          iv: bytes.subarray(2 + kidLength, 2 + kidLength + IV_BYTES),
          tag: bytes.subarray(2 + kidLength + IV_BYTES, bodyStart),
          parts: [bytes.subarray(bodyStart)],
        },
        aad,
      );
      return body!;
    },
  };
}

function isChunkList(plaintext: Uint8Array | readonly Uint8Array[]): plaintext is readonly Uint8Array[] {
  return Array.isArray(plaintext);
}
