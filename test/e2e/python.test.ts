/**
 * Python blocks on the real stack: the Temporal dev server, the in-process
 * worker, the code-executor behind the local Lambda endpoint with the real
 * Python sandbox, PostgreSQL. The example workflow mixes a SQL query, a
 * Python transform and a JavaScript block.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { storeKeys } from '../../shared/contract/index.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    BATON_RESOURCES: JSON.stringify({ db: { type: 'postgres', url: 'postgres://baton:baton@127.0.0.1:5432/baton' } }),
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Python on the real stack', () => {
  const example = readFileSync(new URL('../../workflows/python-transform.yaml', import.meta.url), 'utf8');

  it('runs workflows/python-transform.yaml: SQL rows, a Python transform, a JavaScript summary', async () => {
    const outcome = await stack.run(example, { minTotal: 50 });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ summary: { regions: 3, top: 'apac: 300.00' } });
    expect(await stack.store.getJson(storeKeys.block(outcome.runId, 'byRegion'))).toEqual({
      data: [
        { region: 'apac', total: 300 },
        { region: 'eu', total: 120.5 },
        { region: 'us', total: 80 },
      ],
    });
    const logs = await stack.store.getJson<Array<{ level: string; message: string }>>(storeKeys.logs(outcome.runId, 'byRegion'));
    expect(logs?.map((line) => [line.level, line.message])).toEqual([['log', '3 orders in 3 regions']]);
  });

  it('fails the run at a Python exception, naming the block, the type, the message and the line', async () => {
    const outcome = await stack.run(`
name: python-fails
blocks:
  - id: rows
    type: code
    language: python
    code: |
      values = [3, 0]
      return values[0] / values[1]
  - id: after
    type: code
    after: [rows]
    code: return 1
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ blockId: 'rows', message: expect.stringContaining('division by zero (line 2)') });
    expect(outcome.final!.blocks.rows).toMatchObject({ status: 'failed', error: { type: 'ZeroDivisionError', message: 'division by zero (line 2)' } });
    expect(outcome.final!.blocks.after!.status).toBe('cancelled');
  });

  it('runs a Python loop body per item, in order', async () => {
    const outcome = await stack.run(`
name: python-loop
blocks:
  - id: each
    type: loop
    over: trigger.data.words
    concurrency: 2
    body:
      type: code
      language: python
      code: |
        return {"i": index, "word": item.upper()}
`, { words: ['a', 'bb', 'ccc'] });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ each: [{ i: 0, word: 'A' }, { i: 1, word: 'BB' }, { i: 2, word: 'CCC' }] });
  });
});
