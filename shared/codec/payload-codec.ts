/**
 * Temporal PayloadCodec: every payload a client or worker sends is encrypted
 * whole, its metadata too, with the key ring. What Temporal stores:
 *
 *   metadata  encoding: binary/encrypted, encryption-key-id, encryption-iv,
 *             encryption-tag, and either encryption-head (the original
 *             metadata, encrypted) or compression: deflate-raw
 *   data      the original data, encrypted (or the whole payload deflated, then encrypted)
 *
 * Head and data are one GCM stream under one tag, so the data is encrypted in
 * place of itself and never copied into a bigger buffer (bench/codec.ts). The
 * format and the compression flag are bound in as additional data: dropping or
 * adding the flag in Temporal fails authentication instead of feeding the
 * wrong bytes to inflate. Payloads sealed before this layout (the key ring's
 * self-describing bytes holding the whole payload) are still decoded.
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { CodecError, errorMessage } from '../errors/index.ts';
import type { KeyRing } from './key-ring.ts';

const { Payload: PayloadProto } = proto.temporal.api.common.v1;

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
export const METADATA_IV = 'encryption-iv';
export const METADATA_TAG = 'encryption-tag';
export const METADATA_HEAD = 'encryption-head';
export const METADATA_COMPRESSION = 'compression';
export const COMPRESSION_DEFLATE = 'deflate-raw';
/**
 * Below this a payload is sealed as it is. Deflate costs several times what
 * sealing does (bench/codec.ts); under ~16 KB it would break the 0.1 ms per
 * payload budget to save Temporal a few kilobytes at most.
 */
export const DEFAULT_COMPRESS_ABOVE_BYTES = 16 * 1024;
/** Compression is kept only when it saves at least this share of the bytes. */
const MIN_SAVING = 0.1;
/**
 * Larger payloads are first judged on a sample's byte entropy (a few µs for
 * 1 KB, where even a tiny deflate costs 45 µs), so incompressible data is not
 * deflated in vain: at 8 bits a byte nothing can be saved, and deflate's
 * Huffman stage alone saves MIN_SAVING once entropy is below this. (1 KB of
 * random bytes measures about 7.8 bits, JSON about 4.6, base64 6.)
 */
const SAMPLE_BYTES = 1024;
const MAX_SAMPLE_ENTROPY_BITS = 8 * (1 - MIN_SAVING);

const AAD_PLAIN = 'temporal-payload/v2';
const AAD_DEFLATE = `temporal-payload/v2/${COMPRESSION_DEFLATE}`;
const DEFLATE_OPTIONS = { level: 1 };
const deflateAsync = promisify(deflateRaw);
const inflateAsync = promisify(inflateRaw);
const encoder = new TextEncoder();
const ENCODING_BYTES = encoder.encode(ENCODING_ENCRYPTED);
const COMPRESSION_BYTES = encoder.encode(COMPRESSION_DEFLATE);
const EMPTY = new Uint8Array(0);
/** Protobuf tags (field number << 3 | 2, length-delimited): Payload.metadata, Payload.data, a map entry's key and value. */
const METADATA_FIELD_TAG = 0x0a;
const DATA_FIELD_TAG = 0x12;
const MAP_KEY_TAG = 0x0a;
const MAP_VALUE_TAG = 0x12;

export interface PayloadCodecOptions {
  /** Payloads of at least this many bytes are compressed before sealing (when that saves space). */
  readonly compressAboveBytes?: number;
}

export class KeyRingPayloadCodec implements PayloadCodec {
  private readonly compressAboveBytes: number;
  private readonly keyIdBytes: Uint8Array;

  constructor(
    private readonly ring: KeyRing,
    options: PayloadCodecOptions = {},
  ) {
    this.compressAboveBytes = options.compressAboveBytes ?? DEFAULT_COMPRESS_ABOVE_BYTES;
    this.keyIdBytes = encoder.encode(ring.currentKeyId);
  }

  /** Id of the key this codec seals with. */
  get keyId(): string {
    return this.ring.currentKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.encodeOne(payload)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decodeOne(payload)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    const head = encodeHead(payload);
    const bytes = bytesOf(payload.data);
    const size = head.length + bytes.length;
    if (size >= this.compressAboveBytes && worthCompressing(bytes)) {
      const whole = Buffer.concat([head, dataFieldHeader(bytes.length), bytes]);
      const packed = await deflateAsync(whole, DEFLATE_OPTIONS);
      if (packed.length <= whole.length * (1 - MIN_SAVING)) {
        const sealed = this.ring.sealParts([packed], AAD_DEFLATE);
        return { metadata: { ...this.sealMetadata(sealed), [METADATA_COMPRESSION]: COMPRESSION_BYTES }, data: sealed.parts[0]! };
      }
    }
    const sealed = this.ring.sealParts([head, bytes], AAD_PLAIN);
    return { metadata: { ...this.sealMetadata(sealed), [METADATA_HEAD]: sealed.parts[0]! }, data: sealed.parts[1]! };
  }

  private sealMetadata(sealed: { iv: Uint8Array; tag: Uint8Array }): Record<string, Uint8Array> {
    return { encoding: ENCODING_BYTES, [METADATA_KEY_ID]: this.keyIdBytes, [METADATA_IV]: sealed.iv, [METADATA_TAG]: sealed.tag };
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    const metadata = payload.metadata ?? {};
    // Plain payloads (a signal sent with `temporal workflow signal --input`, say)
    // pass through on the way in; everything Baton itself sends is sealed.
    if (!sameBytes(metadata.encoding, ENCODING_BYTES)) return payload;
    try {
      return metadata[METADATA_IV] ? await this.openStream(metadata, bytesOf(payload.data)) : this.openWhole(bytesOf(payload.data));
    } catch (error) {
      throw new CodecError(`Temporal payload: ${errorMessage(error)}`, { cause: error });
    }
  }

  private async openStream(metadata: Record<string, Uint8Array>, data: Uint8Array): Promise<Payload> {
    const keyId = text(metadata[METADATA_KEY_ID]);
    if (!keyId) throw new CodecError(`encrypted, but its metadata has no ${METADATA_KEY_ID}`);
    const sealed = { keyId, iv: metadata[METADATA_IV]!, tag: metadata[METADATA_TAG] ?? EMPTY };
    const compression = metadata[METADATA_COMPRESSION];
    if (compression !== undefined) {
      if (!sameBytes(compression, COMPRESSION_BYTES)) throw new CodecError(`unknown compression "${text(compression).slice(0, 40)}"`);
      const [packed] = this.ring.openParts({ ...sealed, parts: [data] }, AAD_DEFLATE);
      return toPayload(await inflateAsync(packed!));
    }
    const head = metadata[METADATA_HEAD];
    if (!head) throw new CodecError(`encrypted, but its metadata has no ${METADATA_HEAD}`);
    const [headPlain, dataPlain] = this.ring.openParts({ ...sealed, parts: [head, data] }, AAD_PLAIN);
    const decoded = toPayload(headPlain!);
    decoded.data = dataPlain!;
    return decoded;
  }

  /** The first layout: the whole payload in the key ring's self-describing bytes. */
  private openWhole(data: Uint8Array): Payload {
    if (data.length === 0) throw new CodecError('encrypted, but it has no data');
    return toPayload(this.ring.open(data));
  }
}

/**
 * A payload's bytes as they may arrive: a Uint8Array, absent, or, for a field
 * protobufjs decoded as unset, its default: an empty plain array.
 */
function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return Array.isArray(value) && value.length > 0 ? Uint8Array.from(value as number[]) : EMPTY;
}

function toPayload(bytes: Uint8Array): Payload {
  try {
    return PayloadProto.decode(bytes);
  } catch (error) {
    // Authenticated bytes that are not a Payload: sealed by Baton, but not by this codec.
    throw new CodecError(`decrypted, but the bytes are not a payload (${errorMessage(error)})`, { cause: error });
  }
}

/**
 * The payload without its data, as protobuf bytes. Metadata is all Baton's
 * payloads carry, and writing those few map entries by hand takes about a
 * microsecond where protobufjs takes ten (a large share of a small payload's
 * budget); anything else goes through protobufjs.
 */
function encodeHead(payload: Payload): Uint8Array {
  const { data: _data, metadata, ...others } = payload;
  const hasOthers = Object.entries(others).some(([, value]) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0));
  if (hasOthers) return PayloadProto.encode({ ...others, metadata: metadata ?? {} }).finish();
  const out: number[] = [];
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const keyBytes = encoder.encode(key);
    const entryLength = 1 + varintLength(keyBytes.length) + keyBytes.length + 1 + varintLength(value.length) + value.length;
    out.push(METADATA_FIELD_TAG);
    pushVarint(out, entryLength);
    out.push(MAP_KEY_TAG);
    pushVarint(out, keyBytes.length);
    for (const byte of keyBytes) out.push(byte);
    out.push(MAP_VALUE_TAG);
    pushVarint(out, value.length);
    for (const byte of value) out.push(byte);
  }
  return Uint8Array.from(out);
}

function dataFieldHeader(length: number): Uint8Array {
  const bytes = [DATA_FIELD_TAG];
  pushVarint(bytes, length);
  return Uint8Array.from(bytes);
}

function pushVarint(out: number[], value: number): void {
  let rest = value;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest > 0x7f; rest = Math.floor(rest / 128)) length++;
  return length;
}

function worthCompressing(data: Uint8Array): boolean {
  if (data.length < 16 * SAMPLE_BYTES) return true;
  // From the middle: a payload's first bytes are often its most regular (keys, headers).
  const start = Math.floor(data.length / 2);
  return entropyBitsPerByte(data.subarray(start, start + SAMPLE_BYTES)) <= MAX_SAMPLE_ENTROPY_BITS;
}

function entropyBitsPerByte(bytes: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < bytes.length; i++) counts[bytes[i]!]!++;
  let bits = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / bytes.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const text = (bytes: Uint8Array | null | undefined): string => (bytes ? Buffer.from(bytes).toString('utf8') : '');

function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
