/** Runs one code block: body and inputs from the store, the sandbox, result and logs back to the store. */
import { createHash } from 'node:crypto';
import type { LogLine } from '../../shared/sandbox/index.ts';
import { transpileBlock, type CodeBlock, type Definition } from '../../shared/definition/index.ts';
import { findMentions } from '../../shared/definition/mentions.ts';
import { storeKeys } from '../../shared/store/index.ts';
import type { BlockEnvelope, BlockReply, ExecutorRuntime } from '../../shared/executor/index.ts';
import { loadScope } from './scope.ts';

// Module scope: a warm container keeps its transpiled bodies (and, in the runtime, its isolates).
const transpiled = new Map<string, string>();
const TRANSPILE_CACHE_SIZE = 1000;

function functionSourceOf(block: CodeBlock): string {
  const key = createHash('sha256').update(block.language).update('\0').update(block.code).digest('hex');
  let source = transpiled.get(key);
  if (source === undefined) {
    source = transpileBlock(block);
    if (transpiled.size >= TRANSPILE_CACHE_SIZE) transpiled.clear();
    transpiled.set(key, source);
  }
  return source;
}

/** Which ids a block mentions, computed once per definition and block (definitions are immutable by hash). */
const mentionCache = new Map<string, readonly string[]>();
function mentionsOf(hash: string, definition: Definition, block: CodeBlock): readonly string[] {
  const key = `${hash}/${block.id}`;
  let mentions = mentionCache.get(key);
  if (!mentions) {
    const candidates = new Set(['trigger', ...definition.blocks.map((b) => b.id)]);
    mentions = findMentions(block.code, candidates).filter((id) => id !== block.id);
    if (mentionCache.size >= TRANSPILE_CACHE_SIZE) mentionCache.clear();
    mentionCache.set(key, mentions);
  }
  return mentions;
}

async function storeLogs(runtime: ExecutorRuntime, envelope: BlockEnvelope, logs: LogLine[]): Promise<void> {
  if (logs.length === 0) return;
  await runtime.store.putJson(storeKeys.logs(envelope.runId, envelope.blockId), logs);
}

export async function runCodeBlock(envelope: BlockEnvelope, runtime: ExecutorRuntime): Promise<BlockReply> {
  const definition = await runtime.definition(envelope.definitionHash);
  const block = definition.blocks.find((candidate) => candidate.id === envelope.blockId);
  if (!block || block.type !== 'code') {
    return {
      ok: false,
      error: {
        type: 'DefinitionError',
        message: `definition ${envelope.definitionHash} has no code block "${envelope.blockId}"`,
        retryable: false,
      },
    };
  }
  const scope = await loadScope(envelope, mentionsOf(envelope.definitionHash, definition, block), runtime);
  const result = await runtime.sandbox.run({
    functionSource: functionSourceOf(block),
    scope,
    timeoutMs: block.timeoutMs,
    maxResultBytes: runtime.maxResultBytes,
  });
  await storeLogs(runtime, envelope, result.logs);
  const key = storeKeys.block(envelope.runId, envelope.blockId);
  if (!result.ok) {
    const error = { type: result.error.name, message: result.error.message };
    await runtime.store.putJson(key, { data: { error }, error });
    return { ok: false, error: { ...error, retryable: result.error.name !== 'ResultTooLarge' } };
  }
  // The sandbox hands back JSON text; parsing it here keeps the stored object plain JSON.
  const data: unknown = result.json === undefined ? undefined : JSON.parse(result.json);
  const put = await runtime.store.putJson(key, data === undefined ? {} : { data });
  return { ok: true, ref: put.key, bytes: put.bytes };
}
