/**
 * The runs list's cursor: Temporal visibility's page token, bound to the
 * query it pages and sealed with the deployment's payload codec (the key
 * ring), so a cursor the API did not give is refused at once. Sent raw, a
 * forged token costs a visibility call the SDK retries for seconds (SQL
 * visibility answers UNKNOWN, which is retryable).
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { RunOperationError } from '../errors/index.ts';

const { Payload: PayloadProto } = proto.temporal.api.common.v1;
const CURSOR = /^[A-Za-z0-9_-]{1,8192}$/;

function refuse(): never {
  throw new RunOperationError('invalid', 'cursor is not one this API gave for this list');
}

export async function sealCursor(client: Client, query: string, token: Uint8Array): Promise<string> {
  const converter = client.options.loadedDataConverter;
  let payloads: Payload[] = [converter.payloadConverter.toPayload({ q: query, t: Buffer.from(token).toString('base64') })];
  for (const codec of converter.payloadCodecs) payloads = await codec.encode(payloads);
  return Buffer.from(PayloadProto.encode(payloads[0]!).finish()).toString('base64url');
}

export async function openCursor(client: Client, query: string, cursor: string): Promise<Uint8Array> {
  if (!CURSOR.test(cursor)) refuse();
  const converter = client.options.loadedDataConverter;
  let value: unknown;
  try {
    let payloads: Payload[] = [PayloadProto.decode(Buffer.from(cursor, 'base64url'))];
    for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    value = converter.payloadConverter.fromPayload(payloads[0]!);
  } catch {
    refuse();
  }
  const { q, t } = (value ?? {}) as { q?: unknown; t?: unknown };
  if (q !== query || typeof t !== 'string') refuse();
  return Buffer.from(t, 'base64');
}
