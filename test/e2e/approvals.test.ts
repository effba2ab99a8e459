/**
 * Approval blocks on the real stack: the worker in a process of its own
 * (killed and started again while a run waits), the executors behind the
 * local Lambda endpoint, the API over HTTP with named keys. A run waits for
 * a decision across the restart; of decisions sent at once exactly one wins;
 * a key not among the approvers is refused; the timeout paths; the one-time
 * resume link, used twice, and a scheduled run's links.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { approvalLinksFromEnv } from '../../shared/auth/approval-links.ts';
import { compileDefinition, memoryRegistry, parseDefinition } from '../../shared/definition/index.ts';
import { startEmbeddedStack, type EmbeddedStack } from '../../local/stack.ts';
import { startApiServer } from '../../local/api-server.ts';
import { startWorkerProcess } from '../../local/split-stack.ts';
import type { NodeProcess } from '../../local/node-process.ts';
import { testEnv } from '../support/test-stack.ts';
import { dataConverterFor } from '../../shared/codec/index.ts';
import type { Payload } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { APPROVAL_REFUSALS, decideUpdate } from '../../shared/contract/index.ts';
import { syncSchedules } from '../../shared/schedules/index.ts';

const KEYS = { alice: 'ak_alice_0123456789abcdef', bob: 'ak_bob_0123456789abcdefgh', mallory: 'ak_mallory_0123456789abcd' } as const;
type KeyName = keyof typeof KEYS;
const PUBLIC_URL = 'https://baton.example.com';

let stack: EmbeddedStack;
let worker: NodeProcess;
let api: Awaited<ReturnType<typeof startApiServer>>;
let workerEnv: Record<string, string | undefined>;

/** Parsed JSON answers, read freely: expect() checks their shape. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test JSON

interface Answer {
  readonly status: number;
  readonly body: Json;
}

async function call(method: string, path: string, options: { key?: KeyName | null; body?: unknown } = {}): Promise<Answer> {
  const key = options.key === undefined ? 'alice' : options.key;
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${KEYS[key]}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function begin(yaml: string, data: unknown = null): Promise<{ runId: string; result: () => Promise<unknown> }> {
  const compiled = compileDefinition(parseDefinition(yaml, 'approvals.yaml'));
  const { runId, handle } = await stack.start(compiled, { type: 'manual', data }, memoryRegistry([]));
  return { runId, result: () => handle.result() };
}

/** Polls the run's status until `ready` holds. */
async function statusWhen(runId: string, ready: (status: Json) => boolean): Promise<Json> {
  for (;;) {
    const { status, body } = await call('GET', `/v1/runs/${runId}`);
    if (status === 200 && ready(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The resume links the stack's executors make (an email would carry them). */
const resumeLinks = () => approvalLinksFromEnv({ ...stack.env, BATON_API_URL: PUBLIC_URL });

const waitingFor = (runId: string, blockId: string) => statusWhen(runId, (s) => s.blocks[blockId]?.status === 'waiting');
const ended = (runId: string) => statusWhen(runId, (s) => !['running', 'queued'].includes(s.status));

async function output(runId: string): Promise<Json> {
  await ended(runId);
  return (await call('GET', `/v1/runs/${runId}/output`)).body;
}

/** Every payload of a run's history, decoded by the stack's own codec, as text. */
async function decodedHistory(runId: string): Promise<{ raw: string; decoded: string }> {
  const history = await stack.client.workflow.getHandle(runId).fetchHistory();
  const payloads: Payload[] = [];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if ('metadata' in value && 'data' in value && (value as Payload).data instanceof Uint8Array) payloads.push(value as Payload);
    else for (const child of Object.values(value)) walk(child);
  };
  walk(history);
  const [codec] = dataConverterFor(stack.config.keyRing).payloadCodecs;
  const decoded = await codec!.decode(payloads);
  const text = (list: Payload[]) => list.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
  return { raw: text(payloads), decoded: text(decoded) };
}

beforeAll(async () => {
  const { env } = testEnv({ BATON_API_URL: PUBLIC_URL });
  stack = await startEmbeddedStack({ env, worker: false, workflowBundle: { codePath: inject('workflowBundlePath') } });
  workerEnv = { ...env, BATON_LAMBDA_ENDPOINT: stack.lambdaEndpoint.url, BATON_WORKFLOW_BUNDLE: inject('workflowBundlePath') };
  worker = await startWorkerProcess({ env: workerEnv, client: stack.client, namespace: stack.config.temporal.namespace, taskQueue: stack.config.taskQueue });
  api = await startApiServer(
    {
      client: stack.client,
      store: stack.store,
      taskQueue: stack.config.taskQueue,
      registry: memoryRegistry([]),
      checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: Object.entries(KEYS).map(([name, key]) => `${name}:${key}`).join(',') }),
      approvalLinks: approvalLinksFromEnv(env),
    },
    { port: 0 },
  );
});

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await stack?.stop();
});

const SIGN_OFF = `
name: sign-off
blocks:
  - id: notify
    type: code
    code: return context.approvalUrl
  - id: sign_off
    type: approval
    after: [notify]
    approvers: [alice]
    timeout: 30d
  - id: ship
    type: code
    after: [sign_off]
    code: "return { approved: sign_off.data.approved, by: sign_off.data.by, comment: sign_off.data.comment, at: sign_off.data.at }"
`;

describe('an approval block', () => {
  it('waits across a worker restart, refuses a key not among its approvers, and takes the approver\'s decision as its data', async () => {
    const { runId } = await begin(SIGN_OFF);
    const waiting = await waitingFor(runId, 'sign_off');
    expect(waiting.status).toBe('running');
    expect(waiting.blocks.sign_off.approval).toMatchObject({ approvers: ['alice'] });
    expect(Date.parse(waiting.blocks.sign_off.approval.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(waiting.approvals).toEqual([{ blockId: 'sign_off', approvers: ['alice'], expiresAt: waiting.blocks.sign_off.approval.expiresAt }]);
    // The block before it saw the resume link of every approval of the run.
    const notify = await call('GET', `/v1/runs/${runId}/blocks/notify`);
    expect(Object.keys(notify.body.data)).toEqual(['sign_off']);
    expect(notify.body.data.sign_off).toMatch(new RegExp(`^${PUBLIC_URL}/v1/approvals/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));

    const wrong = await call('POST', `/v1/runs/${runId}/blocks/sign_off/approve`, { key: 'mallory' });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'not_an_approver' } } });
    expect(wrong.body.error.message).toContain('"mallory"');

    await worker.kill();
    expect(worker.alive).toBe(false);
    worker = await startWorkerProcess({ env: workerEnv, client: stack.client, namespace: stack.config.temporal.namespace, taskQueue: stack.config.taskQueue });
    expect((await waitingFor(runId, 'sign_off')).blocks.sign_off.approval.decision).toBeUndefined();

    const decided = await call('POST', `/v1/runs/${runId}/blocks/sign_off/approve`, { body: { comment: 'ship it' } });
    expect(decided).toMatchObject({ status: 200, body: { runId, blockId: 'sign_off', approved: true, by: 'alice' } });
    const out = await output(runId);
    expect(out.status).toBe('completed');
    expect(out.output).toEqual({ ship: { approved: true, by: 'alice', comment: 'ship it', at: decided.body.at } });
    const detail = await call('GET', `/v1/runs/${runId}/blocks/sign_off`);
    expect(detail.body).toMatchObject({ status: 'completed', data: { approved: true, by: 'alice', comment: 'ship it' } });

    const late = await call('POST', `/v1/runs/${runId}/blocks/sign_off/reject`);
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'run_ended' } } });

    // History holds the decision (a key's name, a reference), encrypted; the comment, user data, never.
    const history = await decodedHistory(runId);
    expect(history.decoded).toContain('"by":"alice"');
    expect(history.raw).not.toContain('alice');
    expect(history.decoded).not.toContain('ship it');
  }, 120_000);

  it('lets exactly one of several decisions sent at once win', async () => {
    const { runId } = await begin(`
name: race
blocks:
  - { id: gate, type: approval, onError: continue }
  - { id: linger, type: wait, after: [gate], duration: 3s }
  - { id: after_gate, type: code, after: [linger], code: "return { by: gate.data.by, status: gate.status }" }
`);
    // onError: continue and linger keep the run going whichever decision wins, so the losers meet a
    // decided block (not only an ended run, which a rejection or a quick approved path reaches at once).
    await waitingFor(runId, 'gate');
    const senders: Array<[KeyName, 'approve' | 'reject']> = [
      ['alice', 'approve'], ['bob', 'reject'], ['mallory', 'approve'], ['alice', 'reject'], ['bob', 'approve'], ['mallory', 'reject'],
    ];
    const answers = await Promise.all(senders.map(([key, decision]) => call('POST', `/v1/runs/${runId}/blocks/gate/${decision}`, { key })));
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((answer) => answer.status !== 200);
    for (const loser of losers) expect(loser).toMatchObject({ status: 409, body: { error: { code: expect.stringMatching(/^(approval_decided|run_ended)$/) } } });
    expect(losers.some((loser) => loser.body.error.code === 'approval_decided')).toBe(true);

    const winner = winners[0]!.body;
    const final = await ended(runId);
    expect(final.blocks.gate.approval.decision).toMatchObject({ approved: winner.approved, by: winner.by });
    // A rejection fails the block; onError: continue lets the run go on with the decision as its data.
    expect(final.status).toBe('completed');
    expect(final.blocks.gate.status).toBe(winner.approved ? 'completed' : 'failed');
    expect((await output(runId)).output).toEqual({ after_gate: { by: winner.by, status: winner.approved ? 'completed' : 'failed' } });
  });

  it('fails on rejection, so onError: continue applies and a branch can test approved', async () => {
    const { runId } = await begin(`
name: branch-on-approval
blocks:
  - { id: review, type: approval, onError: continue }
  - id: route
    type: branch
    after: [review]
    cases: [{ when: review.data.approved, then: [go] }]
    else: [stop]
  - { id: go, type: code, code: "return 'go'" }
  - { id: stop, type: code, code: "return { why: review.data.comment, by: review.data.by, error: review.error }" }
`);
    await waitingFor(runId, 'review');
    const rejected = await call('POST', `/v1/runs/${runId}/blocks/review/reject`, { key: 'bob', body: { comment: 'not yet' } });
    expect(rejected).toMatchObject({ status: 200, body: { approved: false, by: 'bob' } });
    const out = await output(runId);
    expect(out).toMatchObject({ status: 'completed', output: { stop: { why: 'not yet', by: 'bob', error: { type: 'ApprovalRejected', message: 'rejected by bob' } } } });
    const status = (await call('GET', `/v1/runs/${runId}`)).body;
    expect(status.blocks).toMatchObject({ review: { status: 'failed' }, go: { status: 'skipped' }, route: { taken: 'else' } });
  });

  it('decides by its timeout: approve, reject or fail', async () => {
    const { runId } = await begin(`
name: timeouts
blocks:
  - { id: auto_yes, type: approval, timeout: 1s, onTimeout: approve }
  - { id: auto_no, type: approval, timeout: 1s, onTimeout: reject, onError: continue }
  - { id: auto_fail, type: approval, timeout: 500, onError: continue }
  - id: report
    type: code
    after: [auto_yes, auto_no, auto_fail]
    code: "return { yes: auto_yes.data, no: auto_no.data, fail: auto_fail.data, statuses: [auto_yes.status, auto_no.status, auto_fail.status] }"
`);
    const out = await output(runId);
    expect(out.status).toBe('completed');
    const report = out.output.report;
    expect(report.statuses).toEqual(['completed', 'failed', 'failed']);
    expect(report.yes).toMatchObject({ approved: true, by: 'timeout', comment: null });
    expect(report.no).toMatchObject({ approved: false, by: 'timeout', comment: null });
    expect(report.fail).toEqual({ error: { type: 'ApprovalTimedOut', message: 'no decision within 500 ms' } });
  });

  it('with onTimeout: fail and no onError, fails the run', async () => {
    const { runId } = await begin('name: timeout-fails\nblocks:\n  - { id: deadline, type: approval, timeout: 200ms }\n');
    expect(await ended(runId)).toMatchObject({ status: 'failed', error: { blockId: 'deadline', type: 'ApprovalTimedOut' } });
  });
});

describe('baton runs approve|reject', () => {
  const baton = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      const cwd = mkdtempSync(join(tmpdir(), 'baton-approvals-cli-'));
      execFile(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'baton.js'), ...args], { env: { ...process.env, ...stack.env }, cwd, timeout: 90_000 }, (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  it('decide as "cli" with a comment, and a second decision exits 1 naming why', async () => {
    const { runId } = await begin('name: cli-decides\nblocks:\n  - { id: ok, type: approval, approvers: [alice] }\n');
    await waitingFor(runId, 'ok');
    const rejected = await baton(['runs', 'reject', runId, 'ok', '--comment', 'from the terminal', '--json']);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ runId, blockId: 'ok', approved: false, by: 'cli' });
    expect(await ended(runId)).toMatchObject({ status: 'failed', error: { blockId: 'ok', type: 'ApprovalRejected', message: 'rejected by cli' } });
    expect((await call('GET', `/v1/runs/${runId}/blocks/ok`)).body.data).toMatchObject({ approved: false, by: 'cli', comment: 'from the terminal' });
    const again = await baton(['runs', 'approve', runId, 'ok']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run "${runId}" has already ended (failed)`);
  }, 120_000);
});

describe('the resume link and refusals', () => {
  const TWO_STEPS = `
name: two-steps
blocks:
  - { id: first, type: approval }
  - { id: prepare, type: code, code: "return 1" }
  - { id: second, type: approval, after: [first] }
  - { id: link, type: code, after: [first], code: "return context.approvalUrl" }
`;

  it('decides once, by "link", without an API key; a second use is refused', async () => {
    const { runId } = await begin(TWO_STEPS);
    await waitingFor(runId, 'first');
    const urls = (await call('GET', `/v1/runs/${runId}`)).body;
    expect(urls.blocks.first.status).toBe('waiting');
    // The link of `first`, as an email would carry it (read from a block that ran after the approval).
    const links = resumeLinks();
    const token = links.token({ runId, blockId: 'first' });

    const shown = await call('GET', `/v1/approvals/${token}`, { key: null });
    expect(shown).toMatchObject({ status: 200, body: { runId, workflow: 'two-steps', blockId: 'first', status: 'waiting', runStatus: 'running' } });
    const approved = await call('POST', `/v1/approvals/${token}/approve`, { key: null, body: { comment: 'via chat' } });
    expect(approved).toMatchObject({ status: 200, body: { approved: true, by: 'link', blockId: 'first' } });
    const again = await call('POST', `/v1/approvals/${token}/reject`, { key: null });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'approval_decided' } } });
    expect((await call('GET', `/v1/approvals/${token}`, { key: null })).body).toMatchObject({ status: 'completed', decision: { approved: true, by: 'link' } });

    await waitingFor(runId, 'second');
    const link = await call('GET', `/v1/runs/${runId}/blocks/link`);
    expect(link.body.data).toEqual({ first: `${PUBLIC_URL}/v1/approvals/${token}`, second: links.url({ runId, blockId: 'second' }) });
    expect((await call('GET', `/v1/runs/${runId}/blocks/first`)).body.data).toMatchObject({ approved: true, by: 'link', comment: 'via chat' });

    // The link of one approval decides only that one: tampering with its block is refused.
    const [run, , mac] = token.split('.');
    const forged = `${run}.${Buffer.from('second').toString('base64url')}.${mac}`;
    expect(await call('POST', `/v1/approvals/${forged}/approve`, { key: null })).toMatchObject({ status: 404, body: { error: { code: 'approval_link_invalid' } } });
    expect(await call('GET', '/v1/approvals/not-a-token', { key: null })).toMatchObject({ status: 404, body: { error: { code: 'approval_link_invalid' } } });
    await call('POST', `/v1/runs/${runId}/cancel`);
  });

  it('gives a scheduled run links that name its workflow id (its store id differs), and they decide', async () => {
    const compiled = compileDefinition(
      parseDefinition(
        `
name: scheduled-approval
triggers:
  schedules:
    - { id: yearly, cron: "0 0 1 1 *", input: { from: schedule } }
blocks:
  - { id: link, type: code, code: "return context.approvalUrl" }
  - { id: gate, type: approval, after: [link] }
`,
        'scheduled-approval.yaml',
      ),
    );
    const registry = memoryRegistry([compiled]);
    await syncSchedules({ client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry, definitions: [compiled] });
    const schedule = stack.client.schedule.getHandle('baton-scheduled-approval-yearly');
    try {
      await schedule.trigger();
      let workflowId = '';
      await expect
        .poll(async () => {
          const action = (await schedule.describe()).info.recentActions[0]?.action;
          workflowId = action?.type === 'startWorkflow' ? action.workflow.workflowId : '';
          return workflowId;
        }, { timeout: 20_000 })
        .not.toBe('');
      // Temporal names a scheduled run <id>-<time>; the store keys it with the unsafe characters replaced.
      expect(workflowId).toMatch(/:/);
      await waitingFor(workflowId, 'gate');
      const urls = (await call('GET', `/v1/runs/${workflowId}/blocks/link`)).body.data as { gate: string };
      const links = resumeLinks();
      expect(urls.gate).toBe(links.url({ runId: workflowId, blockId: 'gate' }));
      const token = urls.gate.slice(`${PUBLIC_URL}/v1/approvals/`.length);
      expect(await call('GET', `/v1/approvals/${token}`, { key: null })).toMatchObject({ status: 200, body: { blockId: 'gate', status: 'waiting' } });
      expect(await call('POST', `/v1/approvals/${token}/approve`, { key: null, body: { comment: 'scheduled' } })).toMatchObject({ status: 200, body: { approved: true, by: 'link' } });
      expect((await ended(workflowId)).status).toBe('completed');
      expect((await call('GET', `/v1/runs/${workflowId}/blocks/gate`)).body.data).toMatchObject({ approved: true, by: 'link', comment: 'scheduled' });
    } finally {
      await schedule.delete();
    }
  });

  it('runs the example workflow: the link in the first block, the approval, the branch that ships', async () => {
    const { runId } = await begin(readFileSync('workflows/ship-approval.yaml', 'utf8'), { order: 'A-17' });
    await waitingFor(runId, 'sign_off');
    const ask = (await call('GET', `/v1/runs/${runId}/blocks/ask`)).body.data;
    expect(ask).toEqual({ order: 'A-17', link: resumeLinks().url({ runId, blockId: 'sign_off' }) });
    expect((await call('POST', `/v1/runs/${runId}/blocks/sign_off/approve`, { key: 'bob', body: { comment: 'go' } })).status).toBe(200);
    expect(await output(runId)).toMatchObject({ status: 'completed', output: { ship: { shipped: 'A-17', approvedBy: 'bob', comment: 'go' } } });
  });

  it('names what is wrong: unknown run or block, a block that is not an approval, one not waiting yet, a bad body', async () => {
    const { runId } = await begin(TWO_STEPS);
    await waitingFor(runId, 'first');
    expect(await call('POST', '/v1/runs/no-such-run/blocks/first/approve')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await call('POST', `/v1/runs/${runId}/blocks/nope/approve`)).toMatchObject({ status: 404, body: { error: { code: 'block_not_found' } } });
    expect(await call('POST', `/v1/runs/${runId}/blocks/prepare/approve`)).toMatchObject({ status: 400, body: { error: { code: 'not_an_approval' } } });
    const early = await call('POST', `/v1/runs/${runId}/blocks/second/approve`);
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'approval_not_waiting', message: 'block "second" is not waiting for a decision (it is pending)' } } });
    expect(await call('POST', `/v1/runs/${runId}/blocks/first/approve`, { body: { coment: 'typo' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_body' } },
    });
    expect(await call('POST', `/v1/runs/${runId}/blocks/first/approve`, { key: null })).toMatchObject({ status: 401 });
    // The run checks the approvers itself, whatever a client checked before it sent the update.
    const strict = await begin('name: strict\nblocks:\n  - { id: gate, type: approval, approvers: [alice] }\n');
    await waitingFor(strict.runId, 'gate');
    const refused = await stack.client.workflow
      .getHandle(strict.runId)
      .executeUpdate(decideUpdate, { args: [{ blockId: 'gate', approved: true, by: 'mallory', via: 'key' }] })
      .then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: APPROVAL_REFUSALS.forbidden });
    expect((await call('GET', `/v1/runs/${strict.runId}`)).body.blocks.gate).toMatchObject({ status: 'waiting' });
    await call('POST', `/v1/runs/${strict.runId}/cancel`);
    // None of those decided anything.
    expect((await call('GET', `/v1/runs/${runId}`)).body.blocks.first).toMatchObject({ status: 'waiting' });
    await call('POST', `/v1/runs/${runId}/cancel`);
    expect(await ended(runId)).toMatchObject({ status: 'cancelled', blocks: { first: { status: 'cancelled' } } });
  });
});
