/**
 * schemathesis fuzzes the running API against its OpenAPI document, the one
 * generated from the app's zod schemas: no 5xx, every response matches the
 * document (status code, content type, schema), and no route answers
 * without a valid key where the document asks for one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiKeyCheckFromEnv } from '../../shared/auth/api-keys.ts';
import { directoryRegistry } from '../../shared/definition/index.ts';
import { startApiServer } from '../../local/api-server.ts';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { pythonToolPath } from '../support/moto.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const API_KEY = 'fuzz-key-0123456789abcdef';
let stack: TestStack;
let api: Awaited<ReturnType<typeof startApiServer>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-fuzz-workflows-'));
  writeFileSync(join(dir, 'echo.yaml'), 'name: echo\nblocks:\n  - { id: echo, type: code, code: "return trigger.data" }\n');
  // The document's example workflow name, here a sync workflow whose response header comes from the
  // trigger: fuzzed bodies must fail the run or be answered, never break the server.
  writeFileSync(
    join(dir, 'hello.yaml'),
    'name: hello\ntriggers:\n  http: { mode: sync, timeoutMs: 5000 }\nblocks:\n  - { id: reply, type: response, headers: { x-echo: "{{ JSON.stringify(trigger.data) }}" }, body: "{{ trigger.data }}" }\n',
  );
  stack = await startTestStack();
  api = await startApiServer(
    { client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue, registry: directoryRegistry(dir), checkApiKey: apiKeyCheckFromEnv({ BATON_API_KEYS: API_KEY }) },
    { port: 0 },
  );
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('serves the document generated from the schemas', async () => {
  expect(await (await fetch(`${api.url}/v1/openapi.json`)).json()).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
});

it('finds no server error and no response outside the document', async () => {
  const args = [
    'run', `${api.url}/v1/openapi.json`,
    '--base-url', api.url,
    '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth',
    '--header', `Authorization: Bearer ${API_KEY}`,
    '--hypothesis-max-examples', '30',
    '--hypothesis-derandomize',
    '--hypothesis-suppress-health-check', 'all',
    '--no-color',
  ];
  const result = await promisify(execFile)(pythonToolPath('st'), args, { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  expect(result.stdout, result.stdout).toMatch(/passed/);
  expect(result.code, result.stdout).toBe(0);
}, 300_000);
