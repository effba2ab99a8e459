/**
 * Every run rule of docs/language.md on the real stack: the Temporal dev server, the
 * in-process worker, the executors behind the local Lambda endpoint, the
 * sandbox, PostgreSQL and a local HTTP server.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchRun } from '../../shared/runs/index.ts';
import { startTestStack, TEST_NAMESPACE, type TestStack } from '../support/test-stack.ts';
import { responseUpdate, storeKeys } from '../../shared/contract/index.ts';

let stack: TestStack;
let http: Server;
let httpUrl: string;
const httpRequests: Array<{ method: string; url: string; body: string }> = [];

beforeAll(async () => {
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      httpRequests.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (req.url === '/busy' && httpRequests.filter((r) => r.url === '/busy').length === 1) {
        res.writeHead(429, { 'retry-after': '1' }).end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ echo: body ? (JSON.parse(body) as unknown) : null, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  stack = await startTestStack({
    BATON_RESOURCES: JSON.stringify({
      db: { type: 'postgres', url: 'postgres://baton:baton@127.0.0.1:5432/baton' },
      api: { type: 'http', baseUrl: httpUrl, headers: { 'x-from': 'baton' } },
    }),
  });
});
afterAll(async () => {
  await stack?.stop();
  http?.close();
});

describe('branches', () => {
  const yaml = `
name: branches
blocks:
  - id: size
    type: branch
    cases:
      - when: trigger.data.n > 10
        then: [big]
    else: [small]
  - id: big
    type: code
    code: return 'big ' + trigger.data.n
  - id: small
    type: code
    code: return 'small ' + trigger.data.n
  - id: afterSmall
    type: code
    after: [small]
    code: return small.data + '!'
  - id: join
    type: code
    after: [big, afterSmall]
    code: |
      return { big: big.status, small: afterSmall.status, value: big.data ?? afterSmall.data }
`;

  it('takes the first true case, skips the other side and the chain after it, and joins', async () => {
    const outcome = await stack.run(yaml, { n: 50 });
    expect(outcome.status).toBe('completed');
    const blocks = outcome.final!.blocks;
    expect(blocks.size).toMatchObject({ status: 'completed', taken: 0 });
    expect(blocks.big!.status).toBe('completed');
    expect(blocks.small!.status).toBe('skipped');
    expect(blocks.afterSmall!.status).toBe('skipped');
    expect(outcome.output).toEqual({ join: { big: 'completed', small: 'skipped', value: 'big 50' } });
  });

  it('takes else when no case is true', async () => {
    const outcome = await stack.run(yaml, { n: 3 });
    expect(outcome.final!.blocks.size).toMatchObject({ taken: 'else' });
    expect(outcome.final!.blocks.big!.status).toBe('skipped');
    expect(outcome.output).toEqual({ join: { big: 'skipped', small: 'completed', value: 'small 3!' } });
  });
});

describe('loops', () => {
  it('runs 1,000 items at concurrency 20 with results in item order', async () => {
    const outcome = await stack.run(`
name: big-loop
blocks:
  - id: numbers
    type: loop
    over: "Array.from({ length: trigger.data.count }, (_, i) => i)"
    concurrency: 20
    body:
      type: code
      code: |
        return { index, square: item * item }
  - id: check
    type: code
    after: [numbers]
    code: |
      const rows = numbers.data;
      return { length: rows.length, ordered: rows.every((r, i) => r.index === i && r.square === i * i) };
`, { count: 1000 });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ check: { length: 1000, ordered: true } });
    expect(outcome.final!.blocks.numbers!.items).toEqual({ total: 1000, completed: 1000, failed: 0 });
  }, 240_000);

  it('runs one item at a time by default, and an item failure fails the loop naming the item', async () => {
    const outcome = await stack.run(`
name: loop-fails
blocks:
  - id: each
    type: loop
    over: "[1, 2, 3, 4]"
    body:
      type: code
      code: |
        if (item === 3) throw new Error('three is bad');
        return item
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('item 2: three is bad');
    expect(outcome.final!.blocks.each!.items).toEqual({ total: 4, completed: 2, failed: 1 });
  });

  it('refuses an over that is not an array', async () => {
    const outcome = await stack.run(`
name: loop-bad-over
blocks:
  - id: each
    type: loop
    over: "({ not: 'an array' })"
    body: { type: code, code: return item }
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('over must give an array, got object');
  });
});

describe('failure handling', () => {
  it('cancels running blocks and runs the onError blocks with the error in scope', async () => {
    const outcome = await stack.run(`
name: handler
onError: [alert, afterAlert]
blocks:
  - id: slow
    type: wait
    duration: 30s
  - id: bad
    type: code
    code: throw new TypeError('no good')
  - id: alert
    type: code
    code: |
      return { failed: error.blockId, message: error.message, slow: slow.status }
  - id: afterAlert
    type: code
    after: [alert]
    code: return alert.data.failed
`);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ blockId: 'bad', message: expect.stringContaining('no good') });
    const blocks = outcome.final!.blocks;
    expect(blocks.slow!.status).toBe('cancelled');
    expect(blocks.alert!.status).toBe('completed');
    expect(blocks.afterAlert!.status).toBe('completed');
    const alert = await stack.store.getJson<{ data: unknown }>(storeKeys.block(outcome.runId, 'alert'));
    expect(alert?.data).toEqual({ failed: 'bad', message: 'no good', slow: 'cancelled' });
  });

  it('does not run onError blocks when the run succeeds', async () => {
    const outcome = await stack.run(`
name: no-handler
onError: [alert]
blocks:
  - id: fine
    type: code
    code: return 1
  - id: alert
    type: code
    code: return 'should not run'
`);
    expect(outcome.status).toBe('completed');
    expect(outcome.final!.blocks.alert!.status).toBe('skipped');
    expect(outcome.output).toEqual({ fine: 1 });
  });
});

describe('response', () => {
  it('reaches the caller while the run goes on, and becomes the run output', async () => {
    const { runId, handle } = await stack.begin(`
name: early-reply
blocks:
  - id: reply
    type: response
    status: 201
    headers: { x-run: "{{ context.runId }}" }
    body: { hello: "{{ trigger.data.name }}", text: "Hi {{ trigger.data.name }}, {{ trigger.data.n }}!" }
  - id: later
    type: wait
    after: [reply]
    duration: 2s
  - id: second
    type: response
    after: [later]
    body: { ignored: true }
`, { name: 'Ada', n: 7 });
    const response = await handle.executeUpdate(responseUpdate);
    expect(response).toEqual({ blockId: 'reply' });
    // The reply came while the run was still going.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const stored = await stack.store.getJson<{ data: unknown }>(storeKeys.block(runId, 'reply'));
    expect(stored?.data).toEqual({ status: 201, headers: { 'x-run': runId }, body: { hello: 'Ada', text: 'Hi Ada, 7!' } });
    const outcome = await watchRun(handle, stack.store);
    expect(outcome.status).toBe('completed');
    expect(outcome.final!.blocks.second!.status).toBe('completed');
    expect(outcome.output).toEqual(stored?.data); // the first response wins
  });
});

describe('workflow blocks', () => {
  const child = `
name: child
blocks:
  - id: doubled
    type: code
    code: return trigger.data.value * 2
`;

  it('runs another workflow as a child run and takes its output as data', async () => {
    const outcome = await stack.run(`
name: parent
blocks:
  - id: call
    type: workflow
    workflow: child
    input: { value: "{{ trigger.data.x }}" }
  - id: use
    type: code
    after: [call]
    code: return call.data.doubled + 1
`, { x: 20 }, { workflows: [child] });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ use: 41 });
    const childRunId = outcome.final!.blocks.call!.childRunId!;
    expect(childRunId).toBe(`${outcome.runId}-call`);
    expect(await stack.store.getJson(storeKeys.trigger(childRunId))).toMatchObject({ type: 'workflow', data: { value: 20 } });
  });

  it('fails a run that nests deeper than 10', async () => {
    const outcome = await stack.run(`
name: recurse
blocks:
  - id: again
    type: workflow
    workflow: recurse
`, null, {});
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('nest deeper than 10');
  }, 120_000);

  it('refuses to start when a called workflow does not exist', async () => {
    await expect(stack.begin(`
name: orphan
blocks:
  - id: call
    type: workflow
    workflow: nowhere
`)).rejects.toThrow(/blocks\[0\]\.workflow: workflow "nowhere" not found/);
  });
});

describe('wait and cancellation', () => {
  it('waits on a durable timer', async () => {
    const outcome = await stack.run(`
name: waits
blocks:
  - id: pause
    type: wait
    duration: 1s
  - id: done
    type: code
    after: [pause]
    code: return pause.status
`);
    expect(outcome.status).toBe('completed');
    const pause = outcome.final!.blocks.pause!;
    expect(pause.endedAt! - pause.startedAt!).toBeGreaterThanOrEqual(1000);
    expect(outcome.output).toEqual({ done: 'completed' });
  });

  it('cancels a running run: it ends CANCELLED with its blocks cancelled', async () => {
    const { handle } = await stack.begin(`
name: to-cancel
blocks:
  - id: long
    type: wait
    duration: 10m
  - id: next
    type: code
    after: [long]
    code: return 1
`);
    await expect.poll(async () => (await handle.query<{ blocks: Record<string, { status: string }> }>('status')).blocks.long?.status).toBe('running');
    await handle.cancel();
    const outcome = await watchRun(handle, stack.store);
    expect(outcome.status).toBe('cancelled');
    expect(outcome.final!.blocks.long!.status).toBe('cancelled');
    expect(outcome.final!.blocks.next!.status).toBe('cancelled');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });
});

describe('query and http blocks', () => {
  it('runs a PostgreSQL query with parameters bound from templates', async () => {
    const outcome = await stack.run(`
name: pg
blocks:
  - id: sum
    type: query
    resource: db
    sql: select $1::int + $2::int as total, $3::text as name
    params: ["{{ trigger.data.a }}", 5, "{{ trigger.data.name }}"]
`, { a: 37, name: "x'); drop table users; --" });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toMatchObject({
      sum: { rows: [{ total: 42, name: "x'); drop table users; --" }], rowCount: 1 },
    });
  });

  it('calls an http resource with templated path, query and body', async () => {
    const outcome = await stack.run(`
name: http
blocks:
  - id: post
    type: http
    resource: api
    method: POST
    path: /items/{{ trigger.data.id }}
    query: { q: "{{ trigger.data.q }}" }
    body: { id: "{{ trigger.data.id }}" }
`, { id: 7, q: 'a b' });
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toMatchObject({ post: { status: 200, body: { echo: { id: 7 }, path: '/items/7?q=a+b' } } });
    expect(httpRequests.at(-1)).toMatchObject({ method: 'POST', url: '/items/7?q=a+b' });
  });
});

describe('retries that the source paces', () => {
  it("waits out an HTTP 429's Retry-After before the next attempt, beyond the block's own backoff", async () => {
    const outcome = await stack.run(`
name: paced
blocks:
  - id: call
    type: http
    resource: api
    path: /busy
    retry: { maxAttempts: 2, initialIntervalMs: 10 }
`);
    expect(outcome.status).toBe('completed');
    expect(outcome.final!.blocks.call!.attempts).toBe(2);
    // The first attempt's answer said "retry after 1 s"; the 10 ms backoff alone would not have waited.
    expect(outcome.final!.blocks.call!.endedAt! - outcome.final!.blocks.call!.startedAt!).toBeGreaterThanOrEqual(1000);
  });
});

describe('run output', () => {
  it('is { id: data } of the completed blocks no other block waits for', async () => {
    const outcome = await stack.run(`
name: output
blocks:
  - id: a
    type: code
    code: return 1
  - id: b
    type: code
    after: [a]
    code: return a.data + 1
  - id: c
    type: code
    code: return 'c'
`);
    expect(outcome.output).toEqual({ b: 2, c: 'c' });
  });

  /** The activities a run ran, in order: regular ones as scheduled, local ones by their markers (the type is in clear). */
  async function activitiesOf(runId: string): Promise<string[]> {
    const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({ namespace: TEST_NAMESPACE, execution: { workflowId: runId } });
    return (history?.events ?? []).flatMap((event) => {
      const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled) return [scheduled];
      const marker = event.markerRecordedEventAttributes;
      const data = marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
      return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : [];
    });
  }

  it("is written by the last block's executor, which saves the run a finishRun step", async () => {
    const outcome = await stack.run(`
name: output-by-executor
blocks:
  - id: a
    type: code
    code: return 1
  - id: side
    type: code
    code: 'return { side: true }'
  - id: pause
    type: wait
    duration: 500ms
  - id: b
    type: code
    after: [a, pause]
    code: return a.data + 1
`);
    // side (a leaf) has long finished when b, the last block, starts: b's executor writes both.
    expect(outcome.output).toEqual({ b: 2, side: { side: true } });
    expect(await stack.store.getJson(storeKeys.output(outcome.runId))).toEqual({ b: 2, side: { side: true } });
    expect(await activitiesOf(outcome.runId)).toEqual(['runBlock', 'runBlock', 'runBlock']);
  });

  it('is written by the run itself when the last block fails under onError: continue', async () => {
    const outcome = await stack.run(`
name: output-after-failure
blocks:
  - id: a
    type: code
    code: return 1
  - id: last
    type: code
    after: [a]
    onError: continue
    code: throw new Error('no luck')
`);
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ last: { error: { type: 'Error', message: 'no luck' } } });
    expect(await activitiesOf(outcome.runId)).toEqual(['runBlock', 'runBlock', 'recordFailure', 'finishRun']);
  });

  it("is the winning response's data when a response block ends the run", async () => {
    const outcome = await stack.run(`
name: output-response-last
blocks:
  - id: a
    type: code
    code: return 'hi'
  - id: reply
    type: response
    after: [a]
    status: 201
    body: "{{ a.data }}"
`);
    expect(outcome.output).toEqual({ status: 201, headers: {}, body: 'hi' });
    expect(await activitiesOf(outcome.runId)).toEqual(['runBlock', 'runBlock']);
  });

  it('is written with the loop data when a loop ends the run', async () => {
    const outcome = await stack.run(`
name: output-loop-last
blocks:
  - id: first
    type: code
    code: return 2
  - id: each
    type: loop
    after: [first]
    over: '[1, 2, 3]'
    body:
      type: code
      code: return item * first.data
`);
    expect(outcome.output).toEqual({ each: [2, 4, 6] });
    const activities = await activitiesOf(outcome.runId);
    expect(activities.at(-1)).toBe('collectLoop');
    expect(activities).not.toContain('finishRun');
  });
});
