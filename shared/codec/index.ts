export { createKeyRing, generateKey, keyIdOf, keyRingFromEnv, type KeyRing } from './key-ring.ts';
export {
  COMPRESSION_DEFLATE,
  DEFAULT_COMPRESS_ABOVE_BYTES,
  ENCODING_ENCRYPTED,
  KeyRingPayloadCodec,
  METADATA_COMPRESSION,
  METADATA_KEY_ID,
} from './payload-codec.ts';
export { dataConverterFor, sealingKeyIdOf, sealingKeyIdOfPayload, workerDataConverterFor, FAILURE_CONVERTER_PATH, type WorkerConverterOptions } from './data-converter.ts';
export { EndUndecodableRuns, type EndRun, type UndecodableRun } from './undecodable-runs.ts';
