/**
 * One block = one activity = one Lambda Invoke. The activity seals the
 * envelope, invokes the executor for the block's type, and turns the reply
 * into a result reference or a failure the workflow understands:
 * - the block failed (user code threw): a normal result with ok false, since
 *   that is the block's outcome, not a fault; the workflow applies the block's
 *   own retry policy to it;
 * - the envelope was refused (wrong key, say): ExecutorFatal, non-retryable;
 * - the function or the network failed: a retryable error, Temporal retries it.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ApplicationFailure } from '@temporalio/common';
import type { KeyRing } from '../../shared/codec/index.ts';
import type { FunctionNames } from '../../shared/config/index.ts';
import { ENVELOPE_AAD, REPLY_AAD, type BlockEnvelope, type BlockReply, type RunBlockInput } from '../../shared/contract/index.ts';
import { openSealed, seal } from '../../shared/codec/envelope.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { blockReplySchema, wireReplySchema } from '../../shared/contract/schemas/index.ts';
import { activeTraceparent } from '../../shared/tracing/index.ts';

export interface RunBlockDeps {
  readonly lambda: LambdaClient;
  readonly keyRing: KeyRing;
  readonly functions: FunctionNames;
}

/** Query and http steps reach the user's data sources: the db-connector. Everything else is user JavaScript. */
function functionFor(type: RunBlockInput['type'], functions: FunctionNames): string {
  return type === 'query' || type === 'http' ? functions.dbConnector : functions.codeExecutor;
}

export async function runBlock(deps: RunBlockDeps, input: RunBlockInput): Promise<BlockReply> {
  const traceparent = activeTraceparent();
  const envelope: BlockEnvelope = {
    v: 1,
    runId: input.runId,
    ...(input.workflowId !== undefined ? { workflowId: input.workflowId } : {}),
    workflow: input.workflow,
    blockId: input.blockId,
    definitionHash: input.definitionHash,
    attempt: input.attempt,
    deadline: Date.now() + input.timeoutMs,
    scope: input.scope,
    ...(input.item !== undefined ? { item: input.item } : {}),
    ...(input.childRunId !== undefined ? { childRunId: input.childRunId } : {}),
    ...(input.runError !== undefined ? { runError: input.runError } : {}),
    ...(input.finish !== undefined ? { finish: input.finish } : {}),
    ...(traceparent !== undefined ? { traceparent } : {}),
  };
  const functionName = functionFor(input.type, deps.functions);
  const response = await whileHeartbeating((abortSignal) =>
    deps.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(seal(deps.keyRing, envelope, ENVELOPE_AAD))),
      }),
      abortSignal ? { abortSignal } : {},
    ),
  );
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  if (response.FunctionError) {
    let detail = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      detail = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? ''}`;
    } catch {
      // keep the raw text
    }
    throw ApplicationFailure.retryable(`executor ${functionName} failed (${response.FunctionError}): ${detail}`, 'ExecutorError');
  }
  const wire = wireReplySchema.safeParse(JSON.parse(text));
  if (!wire.success) throw ApplicationFailure.retryable(`executor ${functionName} sent a malformed reply`, 'ExecutorError');
  if ('fatal' in wire.data) {
    throw ApplicationFailure.nonRetryable(
      `executor ${functionName} refused the envelope: ${wire.data.fatal.type}: ${wire.data.fatal.message}`,
      'ExecutorFatal',
    );
  }
  const reply = openSealed(deps.keyRing, wire.data.enc, REPLY_AAD, blockReplySchema, 'executor reply');
  return reply;
}
