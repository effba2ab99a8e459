/**
 * One data converter per key ring, shared by every Temporal client and the
 * worker: payloads sealed by the key-ring codec, failure messages encoded too.
 * Rings from the same setting are one object (keyRingFromEnv), so every client
 * a process makes gets this very converter and codec.
 */
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import type { KeyRing } from './key-ring.ts';
import { failureConverter } from './failure-converter.ts';
import { KeyRingPayloadCodec } from './payload-codec.ts';
import { EndUndecodableRuns, type EndRun } from './undecodable-runs.ts';

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
