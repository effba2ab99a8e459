/**
 * Hostile code blocks through the code-executor's handler, built as
 * handler.ts serves it but on a runtime of this test's own env: sealed
 * envelopes in, the encrypted file store, the sandbox configured from the
 * env (memory limit, result limit, secrets), sealed replies out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeExecutor } from '../../../../functions/code-executor/executor.ts';
import { generateKey } from '../../../../shared/codec/index.ts';
import { compileDefinition, parseDefinition } from '../../../../shared/definition/index.ts';
import { ENVELOPE_AAD, REPLY_AAD, storeKeys, type BlockReply, type StoredBlockResult } from '../../../../shared/contract/index.ts';
import { openSealed, seal } from '../../../../shared/codec/envelope.ts';
import { blockReplySchema } from '../../../../shared/contract/schemas/index.ts';

const SECRET = 'tok-3f9a-very-secret';
const dir = mkdtempSync(join(tmpdir(), 'baton-executor-sandbox-'));
const { handler, runtime } = codeExecutor.bind({
  ENCRYPTION_KEY: generateKey(),
  BATON_RESULTS_URL: pathToFileURL(dir).href,
  BATON_SECRET_CRM_TOKEN: SECRET,
  BATON_MAX_RESULT_BYTES: '5000',
  BATON_SANDBOX_MEMORY_MB: '32',
});
afterAll(() => {
  runtime.sandbox.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const compiled = compileDefinition(
  parseDefinition(
    `
name: hostile
blocks:
  - id: source
    type: code
    code: "return 1"
  - id: reachesProcess
    type: code
    code: "return process.env"
  - id: bomb
    type: code
    timeoutMs: 60000
    code: "const hog = []; while (true) hog.push(new Array(1e5).fill(1.5))"
  - id: spins
    type: code
    timeoutMs: 300
    code: "while (true) {}"
  - id: leaks
    type: code
    after: [source]
    code: |
      console.log('token is', source.data.token);
      throw new Error('cannot use ' + source.data.token)
  - id: big
    type: code
    code: "return 'x'.repeat(6000)"
  - id: pollutes
    type: code
    code: |
      return JSON.parse('{"__proto__": {"polluted": true}, "kept": 1}')
  - id: normal
    type: code
    after: [source]
    code: "return { sum: source.data.n + 1 }"
`,
    'hostile.yaml',
  ),
);
const runId = 'run-hostile';
const ready = Promise.all([
  runtime.store.putJson(storeKeys.definition(compiled.hash), compiled.definition),
  runtime.store.putJson(storeKeys.block(runId, 'source'), { data: { n: 41, token: SECRET } }),
]);

async function invoke(blockId: string): Promise<BlockReply> {
  await ready;
  const envelope = {
    v: 1,
    runId,
    workflow: 'hostile',
    blockId,
    definitionHash: compiled.hash,
    attempt: 1,
    deadline: Date.now() + 60_000,
    scope: { source: 'completed' },
  };
  const reply = await handler({ v: 1, enc: seal(runtime.keyRing, envelope, ENVELOPE_AAD).enc });
  if (!('enc' in reply)) throw new Error(`fatal reply: ${JSON.stringify(reply)}`);
  return openSealed(runtime.keyRing, reply.enc, REPLY_AAD, blockReplySchema, 'reply');
}

async function normalStillRuns(): Promise<void> {
  expect(await invoke('normal')).toMatchObject({ ok: true });
  expect(await runtime.store.getJson(storeKeys.block(runId, 'normal'))).toEqual({ data: { sum: 42 } });
}

describe('the code-executor with hostile blocks', () => {
  it('fails a block that reaches for process, and serves the next', async () => {
    expect(await invoke('reachesProcess')).toEqual({ ok: false, error: { type: 'ReferenceError', message: 'process is not defined', retryable: false } });
    await normalStillRuns();
  });

  it('ends a memory bomb at BATON_SANDBOX_MEMORY_MB, and serves the next', async () => {
    expect(await invoke('bomb')).toEqual({ ok: false, error: { type: 'MemoryLimitError', message: 'exceeded the memory limit of 32 MB', retryable: true } });
    await normalStillRuns();
  });

  it('ends a CPU loop at the block timeout, and serves the next', async () => {
    expect(await invoke('spins')).toMatchObject({ ok: false, error: { type: 'TimeoutError', message: 'timed out after 300 ms' } });
    await normalStillRuns();
  });

  it('masks BATON_SECRET_* values in stored logs, the stored error and the reply', async () => {
    const reply = await invoke('leaks');
    expect(reply).toEqual({ ok: false, error: { type: 'Error', message: 'cannot use ****', retryable: true } });
    const logs = await runtime.store.getJson<Array<{ message: string }>>(storeKeys.logs(runId, 'leaks'));
    expect(logs?.map((l) => l.message)).toEqual(['token is ****']);
    const stored = await runtime.store.getJson<StoredBlockResult>(storeKeys.block(runId, 'leaks'));
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    expect(stored?.error).toEqual({ type: 'Error', message: 'cannot use ****' });
  });

  it('refuses a result over BATON_MAX_RESULT_BYTES, naming its size, as not retryable', async () => {
    expect(await invoke('big')).toEqual({
      ok: false,
      error: { type: 'ResultTooLarge', message: 'result is 6002 bytes, over the limit of 5000 bytes (BATON_MAX_RESULT_BYTES)', retryable: false },
    });
    await normalStillRuns();
  });

  it('stores a result with a __proto__ key as plain data, polluting nothing', async () => {
    expect(await invoke('pollutes')).toMatchObject({ ok: true });
    const stored = await runtime.store.getJson<{ data: Record<string, unknown> }>(storeKeys.block(runId, 'pollutes'));
    expect(Object.keys(stored!.data)).toEqual(['__proto__', 'kept']);
    expect(Object.getPrototypeOf(stored!.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await normalStillRuns();
  });
});
