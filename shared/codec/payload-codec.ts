/**
 * Temporal PayloadCodec: every payload a client or worker sends is sealed
 * whole (its metadata too) with the key ring. The outer metadata says
 * `binary/encrypted`, the key id and, for a payload large enough to be worth
 * it, that it was compressed before sealing, so the codec server and the Web
 * UI can tell what they hold.
 *
 * The compression flag is also bound into the ciphertext as additional data:
 * flipping or dropping it in Temporal fails authentication instead of feeding
 * the wrong bytes to protobuf or inflate.
 */
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRaw } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { CodecError, errorMessage } from '../errors.ts';
import type { KeyRing } from './key-ring.ts';

const { Payload: PayloadProto } = proto.temporal.api.common.v1;

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
export const METADATA_COMPRESSION = 'compression';
export const COMPRESSION_DEFLATE = 'deflate-raw';
/**
 * Below this a payload is sealed as it is. Measured (bench/codec.ts): deflate
 * costs more than sealing itself, and under ~16 KB it would break the 0.1 ms
 * per payload budget while saving Temporal a few kilobytes at most.
 */
export const DEFAULT_COMPRESS_ABOVE_BYTES = 16 * 1024;
/** Compression is kept only when it saves at least this share of the bytes. */
const MIN_SAVING = 0.1;
/** Larger payloads are first tried on a sample, so incompressible data costs a 4 KB deflate, not a full one. */
const SAMPLE_BYTES = 4096;

const AAD_DEFLATE = `temporal-payload/${COMPRESSION_DEFLATE}`;
const DEFLATE_OPTIONS = { level: 1 };
const deflateAsync = promisify(deflateRaw);
const inflateAsync = promisify(inflateRaw);
const encoder = new TextEncoder();
const ENCODING_BYTES = encoder.encode(ENCODING_ENCRYPTED);
const COMPRESSION_BYTES = encoder.encode(COMPRESSION_DEFLATE);
/** Protobuf tag of Payload.data (field 2, length-delimited). */
const DATA_FIELD_TAG = 0x12;

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

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.encodeOne(payload)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decodeOne(payload)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    const chunks = serialisedChunks(payload);
    const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (size >= this.compressAboveBytes && worthCompressing(payload.data)) {
      const packed = await deflateAsync(Buffer.concat(chunks, size), DEFLATE_OPTIONS);
      if (packed.length <= size * (1 - MIN_SAVING)) {
        return {
          metadata: { encoding: ENCODING_BYTES, [METADATA_KEY_ID]: this.keyIdBytes, [METADATA_COMPRESSION]: COMPRESSION_BYTES },
          data: this.ring.seal(packed, AAD_DEFLATE),
        };
      }
    }
    return {
      metadata: { encoding: ENCODING_BYTES, [METADATA_KEY_ID]: this.keyIdBytes },
      data: this.ring.seal(chunks),
    };
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    const metadata = payload.metadata ?? {};
    // Plain payloads (a signal sent with `temporal workflow signal --input`, say)
    // pass through on the way in; everything Baton itself sends is sealed.
    if (!sameBytes(metadata.encoding, ENCODING_BYTES)) return payload;
    if (!payload.data || payload.data.length === 0) throw new CodecError('Temporal payload: encrypted, but it has no data');
    const compression = metadata[METADATA_COMPRESSION];
    let plain: Buffer;
    try {
      if (compression === undefined) {
        plain = this.ring.open(payload.data);
      } else if (sameBytes(compression, COMPRESSION_BYTES)) {
        plain = await inflateAsync(this.ring.open(payload.data, AAD_DEFLATE));
      } else {
        throw new CodecError(`unknown compression "${Buffer.from(compression).toString('utf8').slice(0, 40)}"`);
      }
    } catch (error) {
      throw new CodecError(`Temporal payload: ${errorMessage(error)}`, { cause: error });
    }
    try {
      return PayloadProto.decode(plain);
    } catch (error) {
      // Authenticated bytes that are not a Payload: sealed by Baton, but not by this codec.
      throw new CodecError(`Temporal payload: decrypted, but the bytes are not a payload (${errorMessage(error)})`, { cause: error });
    }
  }
}

/**
 * The payload as protobuf bytes, in pieces: its metadata (and any other
 * field) encoded, then the data field's header, then the data itself, which is
 * never copied; protobuf allows fields in any order.
 */
function serialisedChunks(payload: Payload): Uint8Array[] {
  const { data, ...rest } = payload;
  const head = PayloadProto.encode(rest).finish();
  if (data === undefined || data === null) return [head];
  return [head, dataFieldHeader(data.length), data];
}

function dataFieldHeader(length: number): Uint8Array {
  const bytes = [DATA_FIELD_TAG];
  let rest = length;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function worthCompressing(data: Uint8Array | null | undefined): boolean {
  if (!data || data.length < 4 * SAMPLE_BYTES) return true;
  const sample = data.subarray(0, SAMPLE_BYTES);
  return deflateRawSync(sample, DEFLATE_OPTIONS).length <= SAMPLE_BYTES * (1 - MIN_SAVING);
}

function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
