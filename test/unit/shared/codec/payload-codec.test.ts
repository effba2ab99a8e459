import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createKeyRing, generateKey } from '../../../../shared/codec/key-ring.ts';
import {
  COMPRESSION_DEFLATE,
  DEFAULT_COMPRESS_ABOVE_BYTES,
  ENCODING_ENCRYPTED,
  KeyRingPayloadCodec,
  METADATA_COMPRESSION,
} from '../../../../shared/codec/payload-codec.ts';
import { CodecError } from '../../../../shared/errors/index.ts';
import proto from '@temporalio/proto';

const MARKER = 'PLAINTEXT-MARKER-payload-42';
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

const keyA = Buffer.from(generateKey(), 'base64');
const ring = createKeyRing([['kid-1', keyA]]);
const codec = new KeyRingPayloadCodec(ring);
/** A ring that also holds kid-1, but encrypts with kid-0. */
const twoKeys = createKeyRing([
  ['kid-0', Buffer.from(generateKey(), 'base64')],
  ['kid-1', keyA],
]);
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

/** A JSON value of about `bytes` bytes that compresses well, as plans and status objects do. */
function bigJson(bytes: number) {
  const row = (i: number) => ({ block: `block-${i % 40}`, status: 'completed', marker: MARKER, i });
  const count = Math.ceil(bytes / JSON.stringify(row(0)).length);
  return Array.from({ length: count }, (_, i) => row(i));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a rejection, got none');
}

describe('KeyRingPayloadCodec', () => {
  it('encodes with binary/encrypted encoding and the current key id, hiding the data', async () => {
    const original = payloadOf({ secret: MARKER });
    expect(text(original.data)).toContain(MARKER);
    const [encoded] = await codec.encode([original]);
    expect(encoded).toBeDefined();
    expect(Object.keys(encoded!.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-head', 'encryption-iv', 'encryption-key-id', 'encryption-tag']);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(ENCODING_ENCRYPTED).toBe('binary/encrypted');
    expect(text(encoded!.metadata!['encryption-key-id'])).toBe('kid-1');
    expect(encoded!.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(encoded!.data!).includes(Buffer.from(MARKER))).toBe(false);
    // the original encoding (json/plain) is sealed too, not left in the clear
    for (const value of Object.values(encoded!.metadata!)) expect(Buffer.from(value).includes(Buffer.from('json/plain'))).toBe(false);
    // the data is encrypted in place: no bigger than it was
    expect(encoded!.data!.length).toBe(original.data!.length);
  });

  it('decodes back to the original payload and value', async () => {
    const originals = [payloadOf({ secret: MARKER, n: [1, 2, 3] }), payloadOf('second'), payloadOf(null), payloadOf('')];
    const decoded = await codec.decode(await codec.encode(originals));
    expect(decoded).toHaveLength(4);
    decoded.forEach((payload, index) => {
      expect(text(payload.data)).toBe(text(originals[index]!.data));
      expect(text(payload.metadata!.encoding)).toBe(text(originals[index]!.metadata!.encoding));
    });
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual({ secret: MARKER, n: [1, 2, 3] });
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBe('second');
    expect(defaultPayloadConverter.fromPayload(decoded[2]!)).toBeNull();
    expect(defaultPayloadConverter.fromPayload(decoded[3]!)).toBe('');
  });

  it('round-trips a payload with no data, and one whose data needs a multi-byte length', async () => {
    const bare: Payload = { metadata: { encoding: Buffer.from('binary/null') } };
    const long: Payload = { metadata: { encoding: Buffer.from('binary/plain') }, data: randomBytes(300_000) };
    const [a, b] = await codec.decode(await codec.encode([bare, long]));
    expect(a!.data?.length ?? 0).toBe(0);
    expect(text(a!.metadata!.encoding)).toBe('binary/null');
    expect(Buffer.from(b!.data!).equals(Buffer.from(long.data!))).toBe(true);
  });

  it('keeps every metadata entry and other field of the original, long and non-ASCII ones included', async () => {
    const original: Payload = {
      metadata: { encoding: Buffer.from('json/protobuf'), 'messageType-ü': Buffer.from('ä'.repeat(200)), empty: new Uint8Array(0), big: randomBytes(70_000) },
      data: Buffer.from('{}'),
    };
    const withOthers = { ...original, externalPayloads: [{ sizeBytes: 12 }] } as unknown as Payload;
    for (const payload of [original, withOthers]) {
      const [decoded] = await codec.decode(await codec.encode([payload]));
      const entries = (p: Payload) => Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('hex')]).sort();
      expect(entries(decoded!)).toEqual(entries(payload));
      expect(text(decoded!.data)).toBe('{}');
    }
    const [decoded] = await codec.decode(await codec.encode([withOthers]));
    expect(Number((decoded as { externalPayloads: Array<{ sizeBytes: unknown }> }).externalPayloads[0]!.sizeBytes)).toBe(12);
  });

  it('round-trips through protobuf as Temporal stores payloads, empty data included', async () => {
    const Proto = proto.temporal.api.common.v1.Payload;
    const throughWire = (payload: Payload) => Proto.decode(Proto.encode(payload).finish());
    const originals = [payloadOf(undefined), payloadOf({ secret: MARKER }), payloadOf('')];
    const encoded = (await codec.encode(originals)).map(throughWire);
    // protobufjs hands an unset bytes field over as an empty plain array
    expect(Array.isArray(encoded[0]!.data)).toBe(true);
    const decoded = await codec.decode(encoded);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([undefined, { secret: MARKER }, '']);
    // ...and a decoded payload, re-encoded as it is, round-trips too
    const again = await codec.decode((await codec.encode(decoded.map(throughWire))).map(throughWire));
    expect(again.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([undefined, { secret: MARKER }, '']);
  });

  it('still decodes payloads sealed in the first layout (the whole payload in key-ring bytes)', async () => {
    const original = payloadOf({ secret: MARKER });
    const first: Payload = {
      metadata: { encoding: Buffer.from(ENCODING_ENCRYPTED), 'encryption-key-id': Buffer.from('kid-1') },
      data: ring.seal(proto.temporal.api.common.v1.Payload.encode(original).finish()),
    };
    expect(defaultPayloadConverter.fromPayload((await codec.decode([first]))[0]!)).toEqual({ secret: MARKER });
  });

  it('passes a plain (unencrypted) payload through decode unchanged', async () => {
    const plain = payloadOf({ from: 'temporal workflow signal --input' });
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ from: 'temporal workflow signal --input' });
    const bare: Payload = { data: Buffer.from('raw') };
    expect((await codec.decode([bare]))[0]).toBe(bare);
  });
});

describe('compression', () => {
  it('compresses a payload above the threshold before sealing, says so in metadata, and decodes it', async () => {
    const value = bigJson(DEFAULT_COMPRESS_ABOVE_BYTES * 4);
    const original = payloadOf(value);
    const [encoded] = await codec.encode([original]);
    expect(text(encoded!.metadata![METADATA_COMPRESSION])).toBe(COMPRESSION_DEFLATE);
    expect(encoded!.data!.length).toBeLessThan(original.data!.length / 4);
    expect(Buffer.from(encoded!.data!).includes(Buffer.from(MARKER))).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(value);
  });

  it('leaves a payload below the threshold uncompressed', async () => {
    const [encoded] = await codec.encode([payloadOf(bigJson(DEFAULT_COMPRESS_ABOVE_BYTES / 2))]);
    expect(encoded!.metadata![METADATA_COMPRESSION]).toBeUndefined();
  });

  it('leaves incompressible data uncompressed, small or large', async () => {
    for (const size of [DEFAULT_COMPRESS_ABOVE_BYTES + 10, 1024 * 1024]) {
      const original: Payload = { metadata: { encoding: Buffer.from('binary/plain') }, data: randomBytes(size) };
      const [encoded] = await codec.encode([original]);
      expect(encoded!.metadata![METADATA_COMPRESSION]).toBeUndefined();
      const [decoded] = await codec.decode([encoded!]);
      expect(Buffer.from(decoded!.data!).equals(Buffer.from(original.data!))).toBe(true);
    }
  });

  it('follows a configured threshold', async () => {
    const eager = new KeyRingPayloadCodec(ring, { compressAboveBytes: 100 });
    const value = bigJson(400);
    const [encoded] = await eager.encode([payloadOf(value)]);
    expect(text(encoded!.metadata![METADATA_COMPRESSION])).toBe(COMPRESSION_DEFLATE);
    // any codec on the ring decodes it, whatever its own threshold
    expect(defaultPayloadConverter.fromPayload((await codec.decode([encoded!]))[0]!)).toEqual(value);
  });

  it('refuses a payload whose compression flag was dropped or added in Temporal', async () => {
    const [compressed] = await codec.encode([payloadOf(bigJson(DEFAULT_COMPRESS_ABOVE_BYTES * 2))]);
    const dropped: Payload = { data: compressed!.data, metadata: { ...compressed!.metadata } };
    delete dropped.metadata![METADATA_COMPRESSION];
    expect((await rejection(codec.decode([dropped]))).message).toMatch(/no encryption-head/);
    const disguised: Payload = { data: compressed!.data, metadata: { ...dropped.metadata, 'encryption-head': new Uint8Array(3) } };
    expect((await rejection(codec.decode([disguised]))).message).toMatch(/authentication/);

    const [plain] = await codec.encode([payloadOf(MARKER)]);
    const added: Payload = { data: plain!.data, metadata: { ...plain!.metadata, [METADATA_COMPRESSION]: Buffer.from(COMPRESSION_DEFLATE) } };
    expect((await rejection(codec.decode([added]))).message).toMatch(/authentication/);
  });

  it('refuses an unknown compression, naming it', async () => {
    const [encoded] = await codec.encode([payloadOf(MARKER)]);
    const odd: Payload = { data: encoded!.data, metadata: { ...encoded!.metadata, [METADATA_COMPRESSION]: Buffer.from('lz4') } };
    const error = await rejection(codec.decode([odd]));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toContain('unknown compression "lz4"');
  });
});

describe('decode errors name the cause, never the plaintext or a key', () => {
  const sealedWith = async (kid: string, key: Buffer, value: unknown = { secret: MARKER }) =>
    (await new KeyRingPayloadCodec(createKeyRing([[kid, key]])).encode([payloadOf(value)]))[0]!;

  const cases: Array<[string, () => Promise<Payload>, RegExp]> = [
    ['unknown key id', () => sealedWith('kid-2', Buffer.from(generateKey(), 'base64')), /sealed with key "kid-2", which is not in the key ring \(it holds "kid-1"\)/],
    ['wrong key under a known id', () => sealedWith('kid-1', Buffer.from(generateKey(), 'base64')), /failed authentication with key "kid-1"/],
    [
      'tampered ciphertext',
      async () => {
        const payload = await sealedWith('kid-1', keyA);
        const data = Buffer.from(payload.data!);
        data[data.length - 3]! ^= 0x40;
        return { ...payload, data };
      },
      /failed authentication.*tampered/,
    ],
    [
      'truncated ciphertext (body)',
      async () => {
        const payload = await sealedWith('kid-1', keyA);
        return { ...payload, data: payload.data!.subarray(0, payload.data!.length - 5) };
      },
      /failed authentication.*truncated/,
    ],
    [
      'truncated iv',
      async () => {
        const payload = await sealedWith('kid-1', keyA);
        return { ...payload, metadata: { ...payload.metadata, 'encryption-iv': payload.metadata!['encryption-iv']!.subarray(0, 8) } };
      },
      /ciphertext is truncated/,
    ],
    [
      'tampered head (the original metadata)',
      async () => {
        const payload = await sealedWith('kid-1', keyA);
        const head = Buffer.from(payload.metadata!['encryption-head']!);
        head[0]! ^= 0x01;
        return { ...payload, metadata: { ...payload.metadata, 'encryption-head': head } };
      },
      /failed authentication/,
    ],
    [
      'key id swapped for another key of the ring',
      async () => {
        const payload = await new KeyRingPayloadCodec(twoKeys).encode([payloadOf({ secret: MARKER })]);
        return { ...payload[0]!, metadata: { ...payload[0]!.metadata, 'encryption-key-id': Buffer.from('kid-1') } };
      },
      /failed authentication with key "kid-1"/,
    ],
    [
      'no key id',
      async () => {
        const payload = await sealedWith('kid-1', keyA);
        const metadata = { ...payload.metadata };
        delete metadata['encryption-key-id'];
        return { ...payload, metadata };
      },
      /has no encryption-key-id/,
    ],
    ['encrypted payload without data', async () => ({ metadata: { encoding: Buffer.from(ENCODING_ENCRYPTED) } }), /encrypted, but it has no data/],
    [
      'bytes not sealed by Baton',
      async () => ({ metadata: { encoding: Buffer.from(ENCODING_ENCRYPTED) }, data: Buffer.from(`{"secret":"${MARKER}"}`) }),
      /unknown format/,
    ],
  ];

  it.each(cases)('%s', async (_name, make, pattern) => {
    const error = await rejection(codec.decode([await make()]));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toMatch(/^Temporal payload: /);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain(MARKER);
    expect(error.message).not.toContain(keyA.toString('base64'));
    expect(error.message).not.toContain(keyA.toString('hex'));
  });
});
