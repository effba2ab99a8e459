/**
 * schemathesis fuzzes the running API against its OpenAPI document: no 5xx,
 * and every response matches the document (status code, content type, schema).
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
import { pythonToolPath } from '../support/moto.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const API_KEY = 'fuzz-key-0123456789abcdef';
let stack: TestStack;
let api: Awaited<ReturnType<typeof startApiServer>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-fuzz-workflows-'));
  writeFileSync(join(dir, 'echo.yaml'), 'name: echo\nblocks:\n  - { id: echo, type: code, code: "return trigger.data" }\n');
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

it('finds no server error and no response outside the document', async () => {
  const args = [
    'run', `${api.url}/v1/openapi.json`,
    '--base-url', api.url,
    '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
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
