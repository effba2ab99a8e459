/**
 * What both executors do around a step: find it in the pinned definition
 * (a block, or a loop's body for one item), work out what it mentions, run
 * user expressions in the sandbox, and store the outcome and logs.
 */
import type { LogLine, RunCodeResult } from './sandbox/index.ts';
import { stepMentions as mentionsOfStep } from '../../shared/definition/steps.ts';
import type { Block, Definition, Step } from '../../shared/definition/schema.ts';
import { storeKeys, type BlockEnvelope, type BlockReply, type Decision, type RunOutputSpec } from '../../shared/contract/index.ts';
import { BlockFailure } from '../../shared/errors/index.ts';
import { isRetryableEvaluationError } from './retryable.ts';
import { writeRunOutput } from '../../shared/store/run-output.ts';
import type { ExecutorRuntime } from './runtime.ts';

export interface ResolvedStep {
  readonly definition: Definition;
  readonly block: Block;
  /** The block itself, or the loop's body when the envelope names an item. */
  readonly step: Step;
  readonly resultKey: string;
  readonly logsKey: string;
  /** When this step completing ends the run: what its output is made of (the envelope's `finish`). */
  readonly finish?: { readonly runId: string; readonly spec: RunOutputSpec };
}

/** Finds the envelope's step in the definition, or says why it cannot. */
export async function resolveStep(envelope: BlockEnvelope, runtime: ExecutorRuntime): Promise<ResolvedStep> {
  const definition = await runtime.definition(envelope.definitionHash);
  const block = definition.blocks.find((candidate) => candidate.id === envelope.blockId);
  if (!block) {
    throw new BlockFailure('DefinitionError', `definition ${envelope.definitionHash} has no block "${envelope.blockId}"`, false);
  }
  const { runId, blockId, item } = envelope;
  if (item !== undefined) {
    if (block.type !== 'loop') throw new BlockFailure('DefinitionError', `block "${blockId}" is not a loop`, false);
    return {
      definition,
      block,
      step: block.body,
      resultKey: storeKeys.loopItem(runId, blockId, item),
      logsKey: storeKeys.logs(runId, blockId, item),
    };
  }
  return {
    definition,
    block,
    step: block,
    resultKey: storeKeys.block(runId, blockId),
    logsKey: storeKeys.logs(runId, blockId),
    ...(envelope.finish ? { finish: { runId, spec: envelope.finish } } : {}),
  };
}

/** Which ids a step mentions; computed once per definition and step (definitions are immutable by hash). */
const mentionCache = new Map<string, readonly string[]>();
const MENTION_CACHE_SIZE = 1000;
export function stepMentions(envelope: BlockEnvelope, resolved: ResolvedStep): readonly string[] {
  const key = `${envelope.definitionHash}/${envelope.blockId}/${envelope.item === undefined ? 'block' : 'body'}`;
  let mentions = mentionCache.get(key);
  if (!mentions) {
    const candidates = new Set(['trigger', ...resolved.definition.blocks.map((b) => b.id)]);
    mentions = mentionsOfStep(resolved.step, candidates);
    if (mentionCache.size >= MENTION_CACHE_SIZE) mentionCache.clear();
    mentionCache.set(key, mentions);
  }
  return mentions;
}

/** Runs a function expression in the sandbox; its value, or a BlockFailure. Logs go to `logs`. */
export async function evaluate(
  runtime: ExecutorRuntime,
  functionSource: string,
  scope: Record<string, unknown>,
  timeoutMs: number,
  logs: LogLine[],
): Promise<unknown> {
  return valueOf(await runtime.sandbox.run({ functionSource, scope, timeoutMs, maxResultBytes: runtime.maxResultBytes }), logs);
}

/** Runs a Python body on a fresh interpreter; its value, or a BlockFailure. Logs go to `logs`. */
export async function evaluatePython(
  runtime: ExecutorRuntime,
  code: string,
  scope: Record<string, unknown>,
  timeoutMs: number,
  logs: LogLine[],
): Promise<unknown> {
  return valueOf(await runtime.python.run({ code, scope, timeoutMs, maxResultBytes: runtime.maxResultBytes }), logs);
}

function valueOf(result: RunCodeResult, logs: LogLine[]): unknown {
  logs.push(...result.logs);
  if (!result.ok) {
    throw new BlockFailure(result.error.name, result.error.message, isRetryableEvaluationError(result.error.name));
  }
  // The sandbox hands back JSON text; parsing it here keeps stored objects plain JSON.
  return result.json === undefined ? undefined : JSON.parse(result.json);
}

export interface StepOutcome {
  readonly data: unknown;
  readonly decision?: Decision;
}

/**
 * Runs a step body and stores what came of it: the data (or the error, as
 * `{ error }`, which onError: continue makes the block's data) and the logs.
 */
export async function completeStep(
  runtime: ExecutorRuntime,
  resolved: ResolvedStep,
  logs: LogLine[],
  run: () => Promise<StepOutcome>,
): Promise<BlockReply> {
  let outcome: StepOutcome | undefined;
  let failure: ReturnType<BlockFailure['toBlockError']> | undefined;
  try {
    outcome = await run();
  } catch (error) {
    if (!(error instanceof BlockFailure)) throw error;
    failure = error.toBlockError();
  }
  if (logs.length > 0) await runtime.store.putJson(resolved.logsKey, logs);
  if (failure) {
    const error = { type: failure.type, message: failure.message };
    await runtime.store.putJson(resolved.resultKey, { data: { error }, error });
    return { ok: false, error: failure };
  }
  const data = outcome?.data;
  const put = await runtime.store.putJson(resolved.resultKey, data === undefined ? {} : { data });
  const { finish } = resolved;
  const output = finish ? await writeRunOutput(runtime.store, finish.runId, finish.spec, { blockId: resolved.block.id, data }) : undefined;
  return {
    ok: true,
    ref: put.key,
    bytes: put.bytes,
    ...(outcome?.decision ? { decision: outcome.decision } : {}),
    ...(output ? { output } : {}),
  };
}
