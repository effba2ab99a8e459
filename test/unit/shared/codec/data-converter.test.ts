import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  dataConverterFor,
  sealingKeyIdOf,
  sealingKeyIdOfPayload,
  workerDataConverterFor,
  FAILURE_CONVERTER_PATH,
} from '../../../../shared/codec/data-converter.ts';
import { createKeyRing, generateKey } from '../../../../shared/codec/key-ring.ts';
import { KeyRingPayloadCodec } from '../../../../shared/codec/payload-codec.ts';
import { EndUndecodableRuns, type UndecodableRun } from '../../../../shared/codec/undecodable-runs.ts';
import { loadConfig } from '../../../../shared/config/index.ts';
import { CodecError } from '../../../../shared/errors/index.ts';

const newRing = (kid: string) => createKeyRing([[kid, Buffer.from(generateKey(), 'base64')]]);

describe('one data converter per key ring', () => {
  it('is the same object for every config loaded from the same setting', () => {
    const env = { ENCRYPTION_KEY: generateKey() };
    const a = loadConfig(env);
    const b = loadConfig({ ...env, BATON_TASK_QUEUE: 'other' });
    expect(a.keyRing).toBe(b.keyRing);
    expect(dataConverterFor(a.keyRing)).toBe(dataConverterFor(b.keyRing));
    expect(dataConverterFor(a.keyRing).payloadCodecs).toHaveLength(1);
  });

  it('gives the worker the clients\' codec, wrapped to end undecodable runs when asked', () => {
    const ring = newRing('k');
    const [clientCodec] = dataConverterFor(ring).payloadCodecs;
    expect(clientCodec).toBeInstanceOf(KeyRingPayloadCodec);
    const plain = workerDataConverterFor(ring);
    expect(plain.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
    expect(plain.payloadCodecs![0]).toBe(clientCodec);
    const guarded = workerDataConverterFor(ring, { endUndecodableRun: async () => {} });
    expect(guarded.payloadCodecs![0]).toBeInstanceOf(EndUndecodableRuns);
  });
});

describe('sealing key ids', () => {
  it('names the key a converter seals with, and the key a stored payload was sealed with', async () => {
    const ring = newRing('today');
    const converter = dataConverterFor(ring);
    expect(sealingKeyIdOf(converter)).toBe('today');
    expect(sealingKeyIdOf({ ...converter, payloadCodecs: [] })).toBeUndefined();
    const [sealed] = await converter.payloadCodecs[0]!.encode([defaultPayloadConverter.toPayload('x')]);
    expect(sealingKeyIdOfPayload(sealed)).toBe('today');
    expect(sealingKeyIdOfPayload(defaultPayloadConverter.toPayload('plain'))).toBeUndefined();
    expect(sealingKeyIdOfPayload(undefined)).toBeUndefined();
  });
});

describe('EndUndecodableRuns', () => {
  const ring = newRing('current');
  const stranger = newRing('gone');
  const context = { type: 'workflow', namespace: 'ns', workflowId: 'run-1' } as const;
  const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

  // The terminate call is recorded here; the real one, against Temporal, is in test/e2e/encryption.test.ts.
  function guarded() {
    const ended: Array<[UndecodableRun, string]> = [];
    const lines: string[] = [];
    const codec = new EndUndecodableRuns(
      new KeyRingPayloadCodec(ring),
      async (run, reason) => {
        ended.push([run, reason]);
      },
      (line) => lines.push(line),
    );
    return { codec, ended, lines };
  }

  it('ends the run once, naming the key, and still fails the decode', async () => {
    const { codec, ended, lines } = guarded();
    const sealed = await new KeyRingPayloadCodec(stranger).encode([payloadOf('secret-value')]);
    for (let i = 0; i < 3; i++) await expect(codec.decode(sealed, context)).rejects.toThrow(CodecError);
    expect(ended).toHaveLength(1);
    expect(ended[0]![0]).toEqual({ namespace: 'ns', workflowId: 'run-1' });
    expect(ended[0]![1]).toMatch(/^Baton cannot decode this run's data: Temporal payload: ciphertext was sealed with key "gone"/);
    expect(ended[0]![1]).not.toContain('secret-value');
    expect(lines.join('\n')).toContain('ending run run-1');
  });

  it('ends the scheduling run when an activity payload cannot be decoded', async () => {
    const { codec, ended } = guarded();
    const sealed = await new KeyRingPayloadCodec(stranger).encode([payloadOf(1)]);
    await expect(codec.decode(sealed, { type: 'activity', namespace: 'ns', workflowId: 'run-2', isLocal: false })).rejects.toThrow(CodecError);
    expect(ended.map(([run]) => run.workflowId)).toEqual(['run-2']);
  });

  it('ends nothing when the run is not known, or the payload decodes', async () => {
    const { codec, ended } = guarded();
    const sealed = await new KeyRingPayloadCodec(stranger).encode([payloadOf(1)]);
    await expect(codec.decode(sealed)).rejects.toThrow(CodecError);
    const own = await codec.encode([payloadOf('fine')], context);
    expect(defaultPayloadConverter.fromPayload((await codec.decode(own, context))[0]!)).toBe('fine');
    expect(ended).toHaveLength(0);
  });

  it('tries again on the next decode when ending the run failed', async () => {
    let calls = 0;
    const lines: string[] = [];
    const codec = new EndUndecodableRuns(
      new KeyRingPayloadCodec(ring),
      async () => {
        calls++;
        if (calls === 1) throw new Error('temporal unavailable');
      },
      (line) => lines.push(line),
    );
    const sealed = await new KeyRingPayloadCodec(stranger).encode([payloadOf(1)]);
    await expect(codec.decode(sealed, context)).rejects.toThrow(CodecError);
    await expect(codec.decode(sealed, context)).rejects.toThrow(CodecError);
    await expect(codec.decode(sealed, context)).rejects.toThrow(CodecError);
    expect(calls).toBe(2);
    expect(lines.join('\n')).toContain('could not end run run-1: temporal unavailable');
  });
});
