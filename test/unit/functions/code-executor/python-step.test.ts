/**
 * Python code blocks through the code-executor's handler, as Lambda serves
 * it: sealed envelopes in, the encrypted file store, the real Python
 * sandbox, sealed replies out. Scope (mentioned blocks, trigger, context,
 * loop item and index, the run's error), logs, errors and secrets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeExecutor } from '../../../../functions/code-executor/executor.ts';
import { generateKey } from '../../../../shared/codec/index.ts';
import { compileDefinition, parseDefinition } from '../../../../shared/definition/index.ts';
import { ENVELOPE_AAD, REPLY_AAD, storeKeys, type BlockReply } from '../../../../shared/contract/index.ts';
import { openSealed, seal } from '../../../../shared/codec/envelope.ts';
import { blockReplySchema } from '../../../../shared/contract/schemas/index.ts';

const SECRET = 'tok-python-very-secret';
const dir = mkdtempSync(join(tmpdir(), 'baton-python-step-'));
const { handler, runtime } = codeExecutor.bind({
  ENCRYPTION_KEY: generateKey(),
  BATON_RESULTS_URL: pathToFileURL(dir).href,
  BATON_SECRET_CRM_TOKEN: SECRET,
  BATON_PYTHON_POOL_SIZE: '1',
});
afterAll(() => {
  runtime.sandbox.dispose();
  runtime.python.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const compiled = compileDefinition(
  parseDefinition(
    `
name: python-steps
blocks:
  - id: source
    type: code
    code: "return 1"
  - id: transform
    type: code
    language: python
    after: [source]
    code: |
      import logging
      print("rows:", len(source.data["rows"]))
      logging.warning("token %s", source.data.token)
      total = sum(r.total for r in source.data.rows)
      return {"total": total, "region": trigger.data.region, "block": context.block, "attempt": context["attempt"]}
  - id: fails
    type: code
    language: python
    after: [source]
    code: |
      rows = source.data.rows
      return rows[10]
  - id: each
    type: loop
    after: [source]
    over: source.data.rows
    body:
      type: code
      language: python
      code: "return {'index': index, 'doubled': item['total'] * 2}"
  - id: alert
    type: code
    language: python
    code: "return f'{error.blockId} failed: {error.type}'"
  - id: javascript
    type: code
    after: [transform]
    code: "return transform.data.total + 1"
onError: [alert]
`,
    'python-steps.yaml',
  ),
);
const runId = 'run-python';
const rows = [{ total: 2 }, { total: 3.5 }];
const ready = Promise.all([
  runtime.store.putJson(storeKeys.definition(compiled.hash), compiled.definition),
  runtime.store.putJson(storeKeys.trigger(runId), { type: 'http', data: { region: 'eu' } }),
  runtime.store.putJson(storeKeys.block(runId, 'source'), { data: { rows, token: SECRET } }),
  runtime.store.putJson(storeKeys.block(runId, 'transform'), { data: { total: 5.5 } }),
  runtime.store.putJson(storeKeys.loopItems(runId, 'each', 0), rows),
]);

async function invoke(blockId: string, extra: Record<string, unknown> = {}): Promise<BlockReply> {
  await ready;
  const envelope = {
    v: 1,
    runId,
    workflow: 'python-steps',
    blockId,
    definitionHash: compiled.hash,
    attempt: 2,
    deadline: Date.now() + 60_000,
    scope: { source: 'completed', transform: 'completed' },
    ...extra,
  };
  const reply = await handler({ v: 1, enc: seal(runtime.keyRing, envelope, ENVELOPE_AAD).enc });
  if (!('enc' in reply)) throw new Error(`fatal reply: ${JSON.stringify(reply)}`);
  return openSealed(runtime.keyRing, reply.enc, REPLY_AAD, blockReplySchema, 'reply');
}

describe('Python code blocks in the code-executor', () => {
  it('sees the mentioned block, trigger and context; its return value is the data; logs are stored, masked', async () => {
    expect(await invoke('transform')).toMatchObject({ ok: true });
    expect(await runtime.store.getJson(storeKeys.block(runId, 'transform'))).toEqual({
      data: { total: 5.5, region: 'eu', block: 'transform', attempt: 2 },
    });
    const logs = await runtime.store.getJson<Array<{ level: string; message: string }>>(storeKeys.logs(runId, 'transform'));
    expect(logs?.map((l) => [l.level, l.message])).toEqual([
      ['log', 'rows: 2'],
      ['warn', 'token ****'],
    ]);
  });

  it('fails the block with the exception type, message and line', async () => {
    expect(await invoke('fails')).toEqual({ ok: false, error: { type: 'IndexError', message: 'list index out of range (line 2)', retryable: true } });
  });

  it('runs a Python loop body with item and index', async () => {
    expect(await invoke('each', { item: 1 })).toMatchObject({ ok: true });
    expect(await runtime.store.getJson(storeKeys.loopItem(runId, 'each', 1))).toEqual({ data: { index: 1, doubled: 7 } });
  });

  it('gives an onError block the run error as error', async () => {
    expect(await invoke('alert', { runError: { blockId: 'fails', type: 'IndexError', message: 'x' } })).toMatchObject({ ok: true });
    expect(await runtime.store.getJson(storeKeys.block(runId, 'alert'))).toEqual({ data: 'fails failed: IndexError' });
  });

  it('a JavaScript block downstream reads the Python block', async () => {
    expect(await invoke('javascript')).toMatchObject({ ok: true });
    expect(await runtime.store.getJson(storeKeys.block(runId, 'javascript'))).toEqual({ data: 6.5 });
  });
});
