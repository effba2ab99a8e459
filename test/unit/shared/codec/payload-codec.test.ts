import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createKeyRing, generateKey } from '../../../../shared/codec/key-ring.ts';
import { ENCODING_ENCRYPTED, KeyRingPayloadCodec } from '../../../../shared/codec/payload-codec.ts';
import { CodecError } from '../../../../shared/errors.ts';

const MARKER = 'PLAINTEXT-MARKER-payload-42';
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

const ring = createKeyRing([['kid-1', Buffer.from(generateKey(), 'base64')]]);
const codec = new KeyRingPayloadCodec(ring);
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('KeyRingPayloadCodec', () => {
  it('encodes with binary/encrypted encoding and the current key id, hiding the data', async () => {
    const original = payloadOf({ secret: MARKER });
    expect(text(original.data)).toContain(MARKER);
    const [encoded] = await codec.encode([original]);
    expect(encoded).toBeDefined();
    expect(Object.keys(encoded!.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(ENCODING_ENCRYPTED).toBe('binary/encrypted');
    expect(text(encoded!.metadata!['encryption-key-id'])).toBe('kid-1');
    expect(encoded!.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(encoded!.data!).includes(Buffer.from(MARKER))).toBe(false);
    // the original encoding (json/plain) is sealed too, not left in the clear
    expect(Buffer.from(encoded!.data!).includes(Buffer.from('json/plain'))).toBe(false);
  });

  it('decodes back to the original payload and value', async () => {
    const originals = [payloadOf({ secret: MARKER, n: [1, 2, 3] }), payloadOf('second'), payloadOf(null)];
    const decoded = await codec.decode(await codec.encode(originals));
    expect(decoded).toHaveLength(3);
    decoded.forEach((payload, index) => {
      expect(text(payload.data)).toBe(text(originals[index]!.data));
      expect(text(payload.metadata!.encoding)).toBe(text(originals[index]!.metadata!.encoding));
    });
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual({ secret: MARKER, n: [1, 2, 3] });
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBe('second');
    expect(defaultPayloadConverter.fromPayload(decoded[2]!)).toBeNull();
  });

  it('passes a plain (unencrypted) payload through decode unchanged', async () => {
    const plain = payloadOf({ from: 'temporal workflow signal --input' });
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ from: 'temporal workflow signal --input' });
    const bare: Payload = { data: Buffer.from('raw') };
    expect((await codec.decode([bare]))[0]).toBe(bare);
  });

  it('refuses an encrypted payload without data, or sealed under a key not in the ring', async () => {
    const noData: Payload = { metadata: { encoding: Buffer.from(ENCODING_ENCRYPTED) } };
    await expect(codec.decode([noData])).rejects.toThrow(CodecError);
    const otherRing = createKeyRing([['kid-2', Buffer.from(generateKey(), 'base64')]]);
    const encoded = await new KeyRingPayloadCodec(otherRing).encode([payloadOf(MARKER)]);
    await expect(codec.decode(encoded)).rejects.toThrow(/"kid-2"/);
  });
});
