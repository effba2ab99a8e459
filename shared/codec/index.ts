export { createKeyRing, generateKey, keyIdOf, keyRingFromEnv, type KeyRing } from './key-ring.ts';
export { ENCODING_ENCRYPTED, KeyRingPayloadCodec } from './payload-codec.ts';
export { dataConverterFor, workerDataConverterFor, FAILURE_CONVERTER_PATH } from './data-converter.ts';
