/**
 * Published versions on the real stack (Temporal dev server, worker,
 * executors behind the local Lambda endpoint, the API server): publish
 * through PUT, release and roll back while runs are in flight (each keeps
 * the version it started on), workflow steps and schedules following the
 * release, publishes at the same moment, and the CLI over the same API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { versionRegistry, versionStoreOf, type VersionStore } from '../../shared/versions/index.ts';
import { temporalScheduleId } from '../../shared/schedules/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import type { BatonRunInput } from '../../shared/contract/index.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ components: openApiDocument.components }, 'doc');
/** The answer fits its documented schema. */
const check = (schema: string, value: unknown) => {
  const validate = ajv.getSchema(`doc#/components/schemas/${schema}`)!;
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
};

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef01';

/** A workflow that waits on a signal-free timer, then says which version it is. */
const slow = (name: string, tag: string, wait = '2s') => `
name: ${name}
blocks:
  - { id: pause, type: wait, duration: ${wait} }
  - { id: say, type: code, after: [pause], code: "return '${tag}'" }
`;

describe('published versions', () => {
  let stack: TestStack;
  let versions: VersionStore;
  let api: Awaited<ReturnType<typeof startApiServer>>;

  const call = async (method: string, path: string, init: { body?: string; type?: string; key?: string } = {}) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${init.key ?? ALICE}`, ...(init.type ? { 'content-type': init.type } : {}) },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes, each checked by the test that reads it
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
  };
  const publish = (name: string, yaml: string, query = '', key = ALICE) =>
    call('PUT', `/v1/workflows/${name}${query}`, { body: yaml, type: 'application/yaml', key });
  const start = async (name: string) => {
    const started = await call('POST', `/v1/workflows/${name}/runs`, { body: 'null', type: 'application/json' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return started.body.runId as string;
  };
  const outputOf = async (runId: string) => {
    await stack.client.workflow.getHandle(runId).result();
    return (await call('GET', `/v1/runs/${runId}/output`)).body.output;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    versions = versionStoreOf(stack.store);
    api = await startApiServer({
      client: stack.client,
      store: stack.store,
      taskQueue: stack.config.taskQueue,
      registry: versionRegistry(versions),
      versions,
      checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: `alice:${ALICE},bob:${BOB}` }),
    });
  });
  afterAll(async () => {
    await api?.close();
    await stack?.stop();
  });

  it('publishes YAML and JSON, numbers versions, answers the same content with its version, and refuses what is not a valid definition', async () => {
    const first = await publish('greet', slow('greet', 'one', '1'), '?message=first');
    expect(first).toEqual({ status: 201, body: { name: 'greet', version: 1, hash: expect.any(String), released: true } });
    expect((await publish('greet', slow('greet', 'one', '1'), '', BOB)).body).toEqual({ ...first.body, released: false });
    expect((await publish('greet', slow('greet', 'one', '1'))).status).toBe(200);

    const json = JSON.stringify({ name: 'greet', blocks: [{ id: 'say', type: 'code', code: "return 'two'" }] });
    const second = await call('PUT', '/v1/workflows/greet', { body: json, type: 'application/json', key: BOB });
    expect(second).toMatchObject({ status: 201, body: { version: 2, released: true } });

    const listed = await call('GET', '/v1/workflows/greet/versions');
    expect(listed.status).toBe(200);
    expect(listed.body.released).toBe(2);
    expect((listed.body.versions as Array<{ version: number; publishedBy: string; message?: string; released: boolean }>).map((v) => [v.version, v.publishedBy, v.message ?? null, v.released])).toEqual([
      [1, 'alice', 'first', false],
      [2, 'bob', null, true],
    ]);
    check('Published', first.body);
    check('VersionList', listed.body);
    const shown = await call('GET', '/v1/workflows/greet/versions/1');
    check('VersionDetail', shown.body);
    expect(shown.body).toMatchObject({ version: 1, publishedBy: 'alice', definition: { name: 'greet', blocks: [{ id: 'pause' }, { id: 'say' }] } });
    const workflows = (await call('GET', '/v1/workflows')).body.workflows as unknown[];
    expect(workflows).toContainEqual(expect.objectContaining({ name: 'greet', version: 2 }));
    for (const workflow of workflows) check('Workflow', workflow);

    const mismatch = await publish('other', slow('greet', 'x'));
    expect(mismatch).toEqual({ status: 400, body: { error: { code: 'name_mismatch', message: 'body.name: "greet" differs from the path\'s "other"' } } });
    const invalid = await publish('greet', 'name: greet\nblocks:\n  - { id: a, type: code, code: "return 1", after: [nope] }\n');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_definition');
    expect(invalid.body.error.message).toMatch(/^body: 1 error\n {2}blocks\[0\]\.after\[0\]: unknown block "nope"/);
    const badJson = await call('PUT', '/v1/workflows/greet', { body: '{"name": ', type: 'application/json' });
    expect(badJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect((await call('PUT', '/v1/workflows/greet', { body: 'x', type: 'text/csv' })).status).toBe(415);
    expect((await call('GET', '/v1/workflows/greet/versions/9')).status).toBe(404);
    expect((await call('GET', '/v1/workflows/nobody/versions')).status).toBe(404);
    expect((await call('POST', '/v1/workflows/greet/release', { body: JSON.stringify({ version: 9 }), type: 'application/json' })).status).toBe(404);
    expect((await call('POST', '/v1/workflows/greet/release', { body: JSON.stringify({ version: 'one' }), type: 'application/json' })).status).toBe(400);
    // Nothing of the refused publishes was stored.
    expect((await versions.versions('greet')).map((v) => v.version)).toEqual([1, 2]);
    expect(await versions.names()).not.toContain('other');
  });

  it('releases back and forward while runs are in flight: each run keeps and shows the version it started on', async () => {
    expect((await publish('flight', slow('flight', 'v1'))).body.version).toBe(1);
    const onOne = await start('flight');
    expect((await publish('flight', slow('flight', 'v2'))).body.version).toBe(2);
    const onTwo = await start('flight');
    const back = await call('POST', '/v1/workflows/flight/release', { body: JSON.stringify({ version: 1 }), type: 'application/json', key: BOB });
    expect(back).toMatchObject({ status: 200, body: { name: 'flight', version: 1, release: 3, releasedBy: 'bob' } });
    check('Released', back.body);
    const backOnOne = await start('flight');
    // Staged, not released: new runs stay on version 1.
    expect((await publish('flight', slow('flight', 'v3'), '?release=false')).body).toMatchObject({ version: 3, released: false });
    const stillOne = await start('flight');

    // All four are in flight (each waits 2s) while the releases moved.
    for (const runId of [onOne, onTwo, backOnOne, stillOne]) expect((await call('GET', `/v1/runs/${runId}`)).body.status).toBe('running');
    const expected: Array<[string, number, string]> = [
      [onOne, 1, 'v1'],
      [onTwo, 2, 'v2'],
      [backOnOne, 1, 'v1'],
      [stillOne, 1, 'v1'],
    ];
    for (const [runId, version, tag] of expected) {
      expect(await outputOf(runId)).toEqual({ say: tag });
      const status = await call('GET', `/v1/runs/${runId}`);
      expect(status.body).toMatchObject({ runId, version, status: 'completed' });
      check('RunStatus', status.body);
    }
    const page = await call('GET', '/v1/workflows/flight/runs?limit=10');
    for (const run of page.body.runs as unknown[]) check('RunSummary', run);
    const listed = Object.fromEntries((page.body.runs as Array<{ runId: string; version?: number }>).map((run) => [run.runId, run.version]));
    expect(listed).toEqual({ [onOne]: 1, [onTwo]: 2, [backOnOne]: 1, [stillOne]: 1 });

    // Forward again, to the staged version.
    await call('POST', '/v1/workflows/flight/release', { body: JSON.stringify({ version: 3 }), type: 'application/json' });
    const onThree = await start('flight');
    expect(await outputOf(onThree)).toEqual({ say: 'v3' });
  });

  it('workflow steps start the released version of the workflow they call, pinned when the parent starts', async () => {
    await publish('child', 'name: child\nblocks:\n  - { id: c, type: code, code: "return \'child-1\'" }\n');
    await publish('parent', 'name: parent\nblocks:\n  - { id: pause, type: wait, duration: 1s }\n  - { id: call, type: workflow, after: [pause], workflow: child }\n');
    const pinned = await start('parent');
    // Released after the parent started, before its step runs: the parent keeps the child it started with.
    await publish('child', 'name: child\nblocks:\n  - { id: c, type: code, code: "return \'child-2\'" }\n');
    const fresh = await start('parent');
    expect(await outputOf(pinned)).toEqual({ call: { c: 'child-1' } });
    expect(await outputOf(fresh)).toEqual({ call: { c: 'child-2' } });
  });

  it('schedules follow publishes and releases', async () => {
    const scheduled = (tag: string) => `
name: nightly
triggers:
  schedules:
    - { id: night, cron: "0 3 * * *" }
blocks:
  - { id: say, type: code, code: "return '${tag}'" }
`;
    const scheduleVersion = async () => {
      const description = await stack.client.schedule.getHandle(temporalScheduleId('nightly', 'night')).describe();
      const action = description.action as { args?: BatonRunInput[] };
      return action.args?.[0]?.plan.version;
    };
    await publish('nightly', scheduled('a'));
    expect(await scheduleVersion()).toBe(1);
    await publish('nightly', scheduled('b'));
    expect(await scheduleVersion()).toBe(2);
    await call('POST', '/v1/workflows/nightly/release', { body: JSON.stringify({ version: 1 }), type: 'application/json' });
    expect(await scheduleVersion()).toBe(1);
    await publish('nightly', scheduled('c'), '?release=false');
    expect(await scheduleVersion()).toBe(1);

    // A run the schedule starts now is on the released version.
    const handle = stack.client.schedule.getHandle(temporalScheduleId('nightly', 'night'));
    await handle.trigger();
    let runId: string | undefined;
    while (!runId) {
      runId = (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
      if (!runId) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await stack.client.workflow.getHandle(runId).result();
    expect((await call('GET', `/v1/runs/${encodeURIComponent(runId)}`)).body).toMatchObject({ version: 1, status: 'completed' });
    await handle.delete();
  });

  it('10 different publishes at once give versions 1..10, none lost; 10 identical give one version', async () => {
    const different = await Promise.all(
      Array.from({ length: 10 }, (_, i) => publish('racing', `name: racing\nblocks:\n  - { id: a, type: code, code: "return ${i}" }\n`)),
    );
    expect(different.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(different.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const stored = (await call('GET', '/v1/workflows/racing/versions')).body.versions as Array<{ version: number; hash: string }>;
    for (const result of different) expect(stored.find((v) => v.version === result.body.version)?.hash).toBe(result.body.hash);

    const same = await Promise.all(Array.from({ length: 10 }, () => publish('twins', slow('twins', 'same', '1'))));
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(same.map((r) => r.body.version))).toEqual(new Set([1]));
    expect((await call('GET', '/v1/workflows/twins/versions')).body.versions).toHaveLength(1);
  });

  it('the CLI deploys a directory, lists, shows and releases through the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-deploy-'));
    const flows = join(dir, 'flows');
    mkdirSync(flows);
    writeFileSync(join(flows, 'cli-one.yaml'), 'name: cli-one\nblocks:\n  - { id: a, type: code, code: "return 1" }\n');
    writeFileSync(join(flows, 'cli-two.json'), JSON.stringify({ name: 'cli-two', blocks: [{ id: 'b', type: 'code', code: 'return 2' }] }));
    const env = { ...process.env, BATON_API_URL: api.url, BATON_API_KEY: BOB };
    const baton = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        execFile(process.execPath, [resolve('bin/baton.js'), ...args], { env, cwd: dir, timeout: 90_000 }, (error, stdout, stderr) =>
          done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    const deployed = await baton(['deploy', flows, '-m', 'from the cli', '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject([
      { name: 'cli-one', version: 1, created: true, released: true },
      { name: 'cli-two', version: 1, created: true, released: true },
    ]);
    writeFileSync(join(flows, 'cli-one.yaml'), 'name: cli-one\nblocks:\n  - { id: a, type: code, code: "return 11" }\n');
    const again = await baton(['deploy', join(flows, 'cli-one.yaml')]);
    expect(again.stdout).toContain('cli-one  v2  new, released');

    const listed = JSON.parse((await baton(['workflows', 'list', '--json'])).stdout) as Array<{ name: string; version: number }>;
    expect(listed).toContainEqual(expect.objectContaining({ name: 'cli-one', version: 2 }));
    const history = await baton(['workflows', 'versions', 'cli-one']);
    expect(history.stdout).toMatch(/^ {2}v1 .* bob .*from the cli\n\* v2 /);
    const released = await baton(['workflows', 'release', 'cli-one', '1']);
    expect(released).toMatchObject({ code: 0, stdout: 'cli-one: v1 released (release 3)\n' });
    expect(JSON.parse((await baton(['workflows', 'show', 'cli-one', '1', '--json'])).stdout)).toMatchObject({ version: 1, released: true });

    const missing = await baton(['workflows', 'release', 'cli-one', '7']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 not_found: workflow "cli-one" has no version 7');
    writeFileSync(join(flows, 'broken.yaml'), 'name: broken\nblocks:\n  - { id: a, type: nope }\n');
    const refused = await baton(['deploy', flows]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('broken.yaml: 1 error');
    expect(await versions.names()).not.toContain('broken');
  });
});
