/** Validation of every block type, the triggers, the input schema and the onError handlers. */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compileDefinition, loadDefinitionFile, parseDefinition } from '../../../../shared/definition/index.ts';
import { issuesOf } from './helpers.ts';

const valid = `
name: all-types
triggers:
  http: { mode: sync, timeoutMs: 5000 }
  schedules:
    - { id: weekdays, cron: "0 9 * * 1-5", timezone: Europe/Berlin, input: { region: eu }, overlap: buffer_one }
input:
  type: object
  required: [region]
  properties: { region: { type: string } }
onError: [alert]
blocks:
  - { id: orders, type: query, resource: shop, sql: "select * from o where r = $1", params: ["{{ trigger.data.region }}"] }
  - { id: crm, type: http, resource: crm, method: POST, path: "/c/{{ trigger.data.region }}", body: { n: "{{ orders.data.rowCount }}" }, after: [orders] }
  - id: size
    type: branch
    after: [crm]
    cases:
      - { when: "orders.data.rowCount > 10", then: [each] }
    else: [pause]
  - id: each
    type: loop
    over: orders.data.rows
    concurrency: 5
    body: { type: code, code: "return item.id + index" }
  - { id: pause, type: wait, duration: 5m }
  - { id: child, type: workflow, workflow: other, input: { from: "{{ size.data.taken }}" }, after: [each, pause] }
  - { id: reply, type: response, status: 202, body: { ok: true, child: "{{ child.data }}" }, after: [child] }
  - { id: alert, type: code, code: "return error.message + orders.status" }
`;

describe('the whole language', () => {
  it('validates a definition using every block type, triggers, input and onError', () => {
    const definition = parseDefinition(valid, 'all.yaml');
    expect(definition.blocks.map((b) => b.type)).toEqual(['query', 'http', 'branch', 'loop', 'wait', 'workflow', 'response', 'code']);
    expect(definition.triggers?.schedules[0]).toMatchObject({ timezone: 'Europe/Berlin', overlap: 'buffer_one' });
    expect(definition.onError).toEqual(['alert']);
  });

  it('compiles to a plan with edges, decisions and durations but no SQL, code or templates', () => {
    const { plan } = compileDefinition(parseDefinition(valid, 'all.yaml'));
    const byId = Object.fromEntries(plan.blocks.map((b) => [b.id, b]));
    expect(byId.each).toMatchObject({ predecessors: ['size'], concurrency: 5, body: { type: 'code', mentions: [] }, mentions: ['orders'] });
    expect(byId.pause).toMatchObject({ predecessors: ['size'], durationMs: 300_000 });
    expect(byId.size).toMatchObject({ cases: [{ then: ['each'] }], else: ['pause'] });
    expect(byId.child).toMatchObject({ workflow: 'other', mentions: ['size'] });
    expect(byId.crm!.mentions).toEqual(['orders', 'trigger']);
    expect(plan.onError).toEqual(['alert']);
    const json = JSON.stringify(plan);
    for (const text of ['select', 'rowCount', 'item.id', 'error.message', '/c/']) expect(json).not.toContain(text);
  });

  it('every example in workflows/ validates', async () => {
    const files = (await readdir('workflows')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const types = new Set<string>();
    for (const file of files) {
      const definition = await loadDefinitionFile(`workflows/${file}`);
      for (const block of definition.blocks) {
        types.add(block.type);
        if (block.type === 'loop') types.add(`loop body ${block.body.type}`);
      }
    }
    for (const type of ['code', 'query', 'http', 'branch', 'loop', 'wait', 'response', 'workflow']) expect(types).toContain(type);
  });
});

const one = (blockYaml: string, top = '') => `name: t\n${top}blocks:\n${blockYaml}`;

describe('errors, each with its path', () => {
  it('a bad cron and an unknown time zone', () => {
    const issues = issuesOf(`name: t
triggers:
  schedules:
    - { id: a, cron: "61 * * * *" }
    - { id: b, cron: "0 9 * *", timezone: Mars/Olympus }
blocks:
  - { id: x, type: code, code: "return 1" }
`);
    expect(issues).toEqual([
      { path: 'triggers.schedules[0].cron', message: expect.stringContaining('invalid cron "61 * * * *"') },
      { path: 'triggers.schedules[1].timezone', message: expect.stringContaining('unknown time zone "Mars/Olympus"') },
      { path: 'triggers.schedules[1].cron', message: expect.stringContaining('a cron needs 5') },
    ]);
  });

  it('an unknown overlap policy and a duplicate schedule id', () => {
    const issues = issuesOf(`name: t
triggers:
  schedules:
    - { id: a, cron: "0 * * * *", overlap: sometimes }
blocks:
  - { id: x, type: code, code: "return 1" }
`);
    expect(issues.map((i) => i.path)).toEqual(['triggers.schedules[0].overlap']);
    const dup = issuesOf(`name: t
triggers:
  schedules: [{ id: a, cron: "0 * * * *" }, { id: a, cron: "5 * * * *" }]
blocks:
  - { id: x, type: code, code: "return 1" }
`);
    expect(dup).toEqual([{ path: 'triggers.schedules[1].id', message: 'duplicate schedule id "a"' }]);
  });

  it('an invalid input JSON Schema', () => {
    const issues = issuesOf(one('  - { id: x, type: code, code: "return 1" }\n', 'input: { type: objekt, required: yes }\n'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.path).toMatch(/^input/);
    expect(issues[0]!.message).toMatch(/^invalid JSON Schema/);
  });

  it('a mention of a block that cannot have run', () => {
    const issues = issuesOf(`name: t
blocks:
  - { id: a, type: code, code: "return b.data" }
  - { id: b, type: code, code: "return 1" }
  - { id: c, type: code, after: [b], code: "return b.data + ' ' + 'a'" }
`);
    expect(issues).toEqual([
      { path: 'blocks[0]', message: 'mentions block "b", which cannot have run: "b" is not upstream of it (add it to after)' },
    ]);
  });

  it('a mention of its own result', () => {
    expect(issuesOf(one('  - { id: a, type: code, code: "return a" }\n'))[0]!.message).toContain('a block cannot read its own result');
  });

  it('a syntax error in a when, an over and a template, with the expression position', () => {
    const issues = issuesOf(`name: t
blocks:
  - { id: a, type: branch, cases: [{ when: "1 +* 2", then: [b] }] }
  - { id: b, type: loop, over: "[1, 2", body: { type: code, code: "return item" } }
  - { id: c, type: response, body: { x: "{{ trigger.data. }}" } }
`);
    expect(issues.map((i) => i.path)).toEqual(['blocks[0].cases[0].when', 'blocks[1].over', 'blocks[2].body.x']);
    expect(issues[0]!.message).toMatch(/^syntax error in expression \(line 1, column 4\)/);
  });

  it('a syntax error in a loop body names the body', () => {
    const issues = issuesOf(one('  - { id: a, type: loop, over: "[1]", body: { type: code, code: "return (" } }\n'));
    expect(issues.map((i) => i.path)).toEqual(['blocks[0].body.code']);
  });

  it('a loop body of a type that cannot be a body, and one with an id', () => {
    expect(issuesOf(one('  - { id: a, type: loop, over: "[1]", body: { type: wait, duration: 1s } }\n'))).toEqual([
      { path: 'blocks[0].body.type', message: 'unknown block type "wait" (one of code, query, http, workflow)' },
    ]);
    expect(issuesOf(one('  - { id: a, type: loop, over: "[1]", body: { id: b, type: code, code: "return 1" } }\n'))).toEqual([
      { path: 'blocks[0].body.id', message: 'unknown field' },
    ]);
  });

  it('a branch case naming an unknown block, and an unknown onError block', () => {
    const issues = issuesOf(`name: t
onError: [ghost]
blocks:
  - { id: a, type: branch, cases: [{ when: "true", then: [nope] }], else: [b] }
  - { id: b, type: code, code: "return 1" }
`);
    expect(issues).toEqual([
      { path: 'onError[0]', message: 'unknown block "ghost"' },
      { path: 'blocks[0].cases[0].then[0]', message: 'unknown block "nope"' },
    ]);
  });

  it('a block waiting for an onError block', () => {
    const issues = issuesOf(`name: t
onError: [alert]
blocks:
  - { id: alert, type: code, code: "return 1" }
  - { id: b, type: code, after: [alert], code: "return 1" }
`);
    expect(issues).toEqual([{ path: 'blocks[1].after[0]', message: '"alert" is an onError block: it runs only when the run fails' }]);
  });

  it('a bad wait duration, a response status out of range, and a workflow name that cannot be one', () => {
    const issues = issuesOf(`name: t
blocks:
  - { id: a, type: wait, duration: soon }
  - { id: b, type: response, status: 700 }
  - { id: c, type: workflow, workflow: Not_A_Name }
`);
    expect(issues.map((i) => i.path)).toEqual(['blocks[0].duration', 'blocks[1].status', 'blocks[2].workflow']);
    expect(issues[0]!.message).toContain('"soon" is not a duration');
  });

  it('a query block without sql, and an http method that does not exist', () => {
    const issues = issuesOf(`name: t
blocks:
  - { id: a, type: query, resource: db }
  - { id: b, type: http, resource: api, method: FETCH }
`);
    expect(issues.map((i) => i.path)).toEqual(['blocks[0].sql', 'blocks[1].method']);
  });

  it('a loop concurrency over the limit', () => {
    expect(issuesOf(one('  - { id: a, type: loop, over: "[]", concurrency: 1000, body: { type: code, code: "return 1" } }\n'))[0]!.path).toBe(
      'blocks[0].concurrency',
    );
  });
});
