/**
 * Definition and input checks at each entry: `baton validate` (every error,
 * child workflows), `baton run --input` against the input schema, a rerun's
 * data against it, and the API naming the parse error of a broken workflow
 * file instead of "no workflow named".
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const BATON = resolve('bin/baton.js');

function baton(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BATON, ...args], { cwd, timeout: 60_000, env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const GREET = `name: greet
input:
  type: object
  required: [name]
  properties: { name: { type: string } }
blocks:
  - { id: hello, type: code, code: "return 'hi ' + trigger.data.name" }
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-checks-'));
  writeFileSync(join(dir, 'greet.yaml'), GREET);
  writeFileSync(join(dir, 'broken.yaml'), 'name: broken\nblocks:\n  - { id: a, type: code, code: "return 1", after: [ghost] }\n');
  writeFileSync(
    join(dir, 'parent.yaml'),
    `name: parent
blocks:
  - { id: a, type: code, code: "return 1", retyr: 2 }
  - { id: child, type: workflow, workflow: no-such-child, after: [a] }
  - id: each
    type: loop
    over: "[1, 2]"
    body: { type: workflow, workflow: broken }
  - { id: ok, type: workflow, workflow: greet, input: { name: x } }
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton validate', () => {
  it('reports field errors and unknown or broken child workflows together, with their paths', async () => {
    const result = await baton(['validate', '--workflows', dir, join(dir, 'parent.yaml')], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('parent.yaml: 3 errors');
    expect(result.stderr).toContain('blocks[0].retyr: unknown field');
    expect(result.stderr).toContain(`blocks[1].workflow: workflow "no-such-child" not found in the workflows directory ${dir}`);
    expect(result.stderr).toContain('blocks[2].body.workflow: workflow "broken" is in broken.yaml, which is invalid (blocks[0].after[0]: unknown block "ghost")');
    expect(result.stderr).not.toContain('blocks[3]');
  });

  it('accepts a file whose child workflows are all there', async () => {
    writeFileSync(join(dir, 'caller.yaml'), 'name: caller\nblocks:\n  - { id: g, type: workflow, workflow: greet, input: { name: x } }\n');
    const result = await baton(['validate', '--workflows', dir, join(dir, 'caller.yaml')], dir);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, stdout: `${join(dir, 'caller.yaml')}: ok\n` });
  });
});

describe('baton run --input', () => {
  it('is checked against the input schema before anything starts', async () => {
    const result = await baton(['run', join(dir, 'greet.yaml'), '--input', '{"name": 5}'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('baton run: --input does not match the input schema of "greet": trigger.data.name: must be string');
    const missing = await baton(['run', join(dir, 'greet.yaml')], dir);
    expect(missing.stderr).toContain('trigger.data: must be object');
    expect(missing.stderr).not.toContain('Temporal');
  });
});

describe('on the stack', () => {
  const API_KEY = 'test-key-checks-0123456789';
  let stack: TestStack;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as { runId?: string; error: { code: string; message: string } } };
  };
  beforeAll(async () => {
    stack = await startTestStack();
    api = await startApiServer(
      { client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry: directoryRegistry(dir), checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }) },
      { port: 0 },
    );
  });
  afterAll(async () => {
    await api?.close();
    await stack?.stop();
  });

  it('the API names the parse error of a workflow file that does not parse', async () => {
    const answer = await call('POST', '/v1/workflows/broken/runs', {});
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('workflow_invalid');
    expect(answer.body.error.message).toContain('broken.yaml: 1 error');
    expect(answer.body.error.message).toContain('blocks[0].after[0]: unknown block "ghost"');
    expect((await call('POST', '/v1/workflows/absent/runs', {})).status).toBe(404);
  });

  it("a rerun's data is checked against the input schema", async () => {
    const first = await call('POST', '/v1/workflows/greet/runs', { name: 'Ada' });
    expect(first.status).toBe(202);
    const refused = await call('POST', `/v1/runs/${first.body.runId}/rerun`, { data: { name: 42 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('data does not match the input schema of "greet": trigger.data.name: must be string');
    const accepted = await call('POST', `/v1/runs/${first.body.runId}/rerun`, { data: { name: 'Grace' } });
    expect(accepted.status).toBe(202);
  });
});
