/**
 * One data converter per key ring, shared by every Temporal client and the
 * worker: payloads sealed by the key-ring codec, failure messages encoded too.
 */
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import type { KeyRing } from './key-ring.ts';
import { failureConverter } from './failure-converter.ts';
import { KeyRingPayloadCodec } from './payload-codec.ts';

/** The worker (and its workflow bundle) load the failure converter from this module. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

const loaded = new WeakMap<KeyRing, LoadedDataConverter>();

/** For clients: already loaded, so no module is required by path (which a Lambda bundle could not resolve). */
export function dataConverterFor(ring: KeyRing): LoadedDataConverter {
  let converter = loaded.get(ring);
  if (!converter) {
    converter = { payloadConverter: defaultPayloadConverter, failureConverter, payloadCodecs: [new KeyRingPayloadCodec(ring)] };
    loaded.set(ring, converter);
  }
  return converter;
}

/** For the worker, whose workflow bundle needs the failure converter by path. */
export function workerDataConverterFor(ring: KeyRing): DataConverter {
  return { failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs: dataConverterFor(ring).payloadCodecs };
}
