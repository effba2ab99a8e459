/**
 * One data converter per key ring, shared by every Temporal client and the
 * worker: payloads sealed by the key-ring codec, failure messages encoded too.
 * Rings from the same setting are one object (keyRingFromEnv), so every client
 * a process makes gets this very converter and codec.
 */
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter, type Payload } from '@temporalio/common';
import type { KeyRing } from './key-ring.ts';
import { failureConverter } from './failure-converter.ts';
import { ENCODING_ENCRYPTED, KeyRingPayloadCodec, METADATA_KEY_ID } from './payload-codec.ts';
import { EndUndecodableRuns, type EndRun } from './undecodable-runs.ts';

/** Set by scripts/bundle-worker.ts: the built artefact's own failure-converter module, beside its entry. */
declare const BATON_BUNDLED_FAILURE_CONVERTER: string | undefined;

/**
 * The worker (and its workflow bundle) load the failure converter from this
 * module by path: the SDK require()s it on the worker's main thread, even
 * with a prebuilt workflow bundle.
 */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(typeof BATON_BUNDLED_FAILURE_CONVERTER === 'string' ? BATON_BUNDLED_FAILURE_CONVERTER : './failure-converter.ts', import.meta.url),
);

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

/**
 * Id of the key a client's converter seals with; undefined for a converter
 * without Baton's codec. Whatever Temporal keeps for long (a schedule's
 * arguments) records it, so a sync can re-seal it after a rotation.
 */
export function sealingKeyIdOf(converter: LoadedDataConverter): string | undefined {
  for (const codec of converter.payloadCodecs) {
    const inner = codec instanceof EndUndecodableRuns ? codec.inner : codec;
    if (inner instanceof KeyRingPayloadCodec) return inner.keyId;
  }
  return undefined;
}

/** Id of the key a stored payload was sealed with, read from its metadata without opening it. */
export function sealingKeyIdOfPayload(payload: Payload | null | undefined): string | undefined {
  const metadata = payload?.metadata;
  if (!metadata?.encoding || Buffer.from(metadata.encoding).toString() !== ENCODING_ENCRYPTED) return undefined;
  const keyId = metadata[METADATA_KEY_ID];
  return keyId ? Buffer.from(keyId).toString('utf8') : undefined;
}

export interface WorkerConverterOptions {
  /** Ends a run whose data this worker cannot decode, instead of letting Temporal retry it forever. */
  readonly endUndecodableRun?: EndRun;
  readonly log?: (line: string) => void;
}

/**
 * For the worker, whose workflow bundle needs the failure converter by path.
 * The codec is the clients' one, wrapped (when asked) to end undecodable runs.
 */
export function workerDataConverterFor(ring: KeyRing, options: WorkerConverterOptions = {}): DataConverter {
  const codecs = dataConverterFor(ring).payloadCodecs;
  const payloadCodecs = options.endUndecodableRun
    ? codecs.map((codec) => new EndUndecodableRuns(codec, options.endUndecodableRun!, options.log))
    : codecs;
  return { failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs };
}
