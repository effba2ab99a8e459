/**
 * The common shape of an executor handler: check the wire payload, open the
 * envelope, run the block, seal the reply. A block's own failure is a normal
 * reply; an envelope that cannot be opened gets an unsealed `fatal` reply (no
 * secret in it) so the worker fails the block at once instead of retrying;
 * anything else throws and surfaces as a Lambda function error, which is retried.
 */
import { CodecError, EnvelopeError } from '../errors.ts';
import { loadSecretRefs } from '../config/aws-secrets.ts';
import { ENVELOPE_AAD, REPLY_AAD, open, seal } from './envelope.ts';
import { blockEnvelopeSchema, invocationSchema, type BlockEnvelope, type BlockReply, type WireReply } from './protocol.ts';
import type { ExecutorRuntime } from './runtime.ts';
import { StepFailure } from './step.ts';

export type BlockRunner = (envelope: BlockEnvelope, runtime: ExecutorRuntime) => Promise<BlockReply>;

export function createExecutorHandler(runBlock: BlockRunner, runtime: () => ExecutorRuntime) {
  return async function handler(event: unknown): Promise<WireReply> {
    // In AWS the key ring comes from SSM / Secrets Manager at cold start; a no-op locally.
    await loadSecretRefs();
    const rt = runtime();
    const invocation = invocationSchema.safeParse(event);
    if (!invocation.success) {
      return { v: 1, fatal: { type: 'EnvelopeError', message: 'invocation payload must be { v: 1, enc: string }' } };
    }
    let envelope: BlockEnvelope;
    try {
      envelope = open(rt.keyRing, invocation.data.enc, ENVELOPE_AAD, blockEnvelopeSchema, 'executor envelope');
    } catch (error) {
      if (error instanceof CodecError || error instanceof EnvelopeError || error instanceof SyntaxError) {
        return { v: 1, fatal: { type: error.name, message: error.message } };
      }
      throw error;
    }
    let reply: BlockReply;
    try {
      reply = await runBlock(envelope, rt);
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      reply = { ok: false, error: error.toBlockFailure() };
    }
    return seal(rt.keyRing, reply, REPLY_AAD);
  };
}
