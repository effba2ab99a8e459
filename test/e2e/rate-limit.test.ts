/**
 * The start rate per API key through the real API: deps made from env as the
 * Lambda handler makes them (BATON_RUN_START_RATE), the local server, the
 * real stack behind it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiDepsFromEnv } from '../../functions/api/handler.ts';
import type { ApiDeps } from '../../functions/api/app.ts';
import { startApiServer } from '../../local/api-server.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { bootstrapVersions, versionStoreOf } from '../../shared/versions/index.ts';

const KEY_A = 'rate-key-a-0123456789abcdef';
const KEY_B = 'rate-key-b-0123456789abcdef';

let stack: TestStack;
let dir: string;
let deps: ApiDeps;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'baton-rate-'));
  writeFileSync(join(dir, 'tick.yaml'), 'name: tick\nblocks:\n  - { id: tick, type: code, code: "return 1" }\n');
  // Two starts an hour: the third of a key is refused however slowly the requests go.
  deps = await apiDepsFromEnv({
    ...stack.env,
    BATON_API_KEYS: `${KEY_A},${KEY_B}`,
    BATON_WORKFLOWS_DIR: dir,
    BATON_RUN_START_RATE: '2/h',
  });
  // The API serves released versions from the store: the directory is published there, as a worker does at start.
  await bootstrapVersions(versionStoreOf(stack.store), dir);
  api = await startApiServer(deps, { port: 0 });
});

afterAll(async () => {
  await api?.close();
  await deps?.client.connection.close();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, key: string) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });

it('refuses a key its third start in the hour with 429 and Retry-After, and leaves other keys and reads alone', async () => {
  const first = await post('/v1/workflows/tick/runs', KEY_A);
  expect(first.status).toBe(202);
  const { runId } = (await first.json()) as { runId: string };
  // A rerun is a start too.
  expect((await post(`/v1/runs/${runId}/rerun`, KEY_A)).status).toBe(202);

  const refused = await post('/v1/workflows/tick/runs', KEY_A);
  expect(refused.status).toBe(429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  // One token comes every 30 minutes; most of that is still to wait.
  expect(retryAfter).toBeGreaterThan(60);
  expect(retryAfter).toBeLessThanOrEqual(1800);
  expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
  expect((await post(`/v1/runs/${runId}/rerun`, KEY_A)).status).toBe(429);

  expect((await post('/v1/workflows/tick/runs', KEY_B)).status).toBe(202);
  const read = await fetch(`${api.url}/v1/runs/${runId}`, { headers: { authorization: `Bearer ${KEY_A}` } });
  expect(read.status).toBe(200);
});
