/**
 * Temporal PayloadCodec: every payload a client or worker sends is sealed
 * whole with the key ring. Metadata says `binary/encrypted` and the key id,
 * so the codec server and the Web UI can tell what they hold.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

const { Payload: PayloadProto } = proto.temporal.api.common.v1;
import { CodecError } from '../errors.ts';
import type { KeyRing } from './key-ring.ts';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
const encoder = new TextEncoder();
const ENCODING_BYTES = encoder.encode(ENCODING_ENCRYPTED);

export class KeyRingPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: {
        encoding: ENCODING_BYTES,
        'encryption-key-id': encoder.encode(this.ring.currentKeyId),
      },
      data: this.ring.seal(PayloadProto.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      // Plain payloads (a signal sent with `temporal workflow signal --input`, say)
      // pass through on the way in; everything Baton itself sends is sealed.
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING_ENCRYPTED) return payload;
      if (!payload.data) throw new CodecError('encrypted Temporal payload has no data');
      return PayloadProto.decode(this.ring.open(payload.data));
    });
  }
}
