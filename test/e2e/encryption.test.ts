/**
 * What leaves Baton's processes, seen from outside on the real stack: the raw
 * history as the Temporal CLI shows it without the key, the result store's
 * files, the codec server as the CLI and the Web UI use it, and runs whose
 * data the worker cannot decode.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecServerDepsFromEnv } from '../../functions/codec-server/settings.ts';
import { startCodecServer, type LocalCodecServer } from '../../local/codec-server.ts';
import { startEmbeddedStack } from '../../local/stack.ts';
import { dataConverterFor, EndUndecodableRuns, generateKey } from '../../shared/codec/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { watchRun } from '../../shared/runs/index.ts';
import { metadataText, payloadsIn, readableBytes, sdkBookkeeping, showHistory, type JsonPayload } from '../support/history.ts';
import { PATCH_IDS } from '../../worker/workflows/baton-run.ts';
import { startTestStack, testEnv, TEST_NAMESPACE, type TestStack } from '../support/test-stack.ts';
import { freePort } from '../../local/free-port.ts';

const CODEC_TOKEN = 'bc_e2e-codec-token-0123456789';
/**
 * The SDK markers this run records in clear, in order: the local-activities
 * patch (its marker and TemporalChangeVersion), then one local-activity marker
 * for each of its four short blocks and one for boom's recordFailure store step.
 */
const EXPECTED_BOOKKEEPING: string[] = [
  'core_patch',
  'TemporalChangeVersion',
  ...Array.from({ length: 5 }, () => 'core_local_activity'),
];

/**
 * Trigger data carries the marker; each block's result (and one block's error
 * message) is derived from it, so none of them is the marker itself.
 */
const MARKED = `
name: marked
blocks:
  - id: echo
    type: code
    code: "return { reversed: trigger.data.secret.split('').reverse().join('') }"
  - id: shout
    type: code
    after: [echo]
    code: "return echo.data.reversed.toUpperCase() + '-SHOUTED'"
  - id: boom
    type: code
    after: [echo]
    onError: continue
    code: "throw new Error(echo.data.reversed + '-BOOM')"
  - id: reply
    type: response
    after: [shout, boom]
    body: { said: "{{ shout.data }}", failed: "{{ boom.error.message }}" }
`;

let stack: TestStack;
let codecServer: LocalCodecServer;
beforeAll(async () => {
  stack = await startTestStack({ BATON_CODEC_TOKENS: CODEC_TOKEN });
  codecServer = await startCodecServer(codecServerDepsFromEnv(stack.env));
});
afterAll(async () => {
  await codecServer?.close();
  await stack?.stop();
});

const show = (workflowId: string, flags: string[] = []) =>
  showHistory({ address: stack.config.temporal.address, namespace: TEST_NAMESPACE, workflowId, flags });

describe('what Temporal holds, read without the key', () => {
  it('has neither the trigger data nor any block result, and every payload is binary/encrypted', async () => {
    const marker = `MARKER${Math.random().toString(36).slice(2, 12)}`;
    const outcome = await stack.run(MARKED, { secret: marker });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    const reversed = marker.split('').reverse().join('');
    const shouted = `${reversed.toUpperCase()}-SHOUTED`;
    expect(outcome.output).toMatchObject({ status: 200, body: { said: shouted, failed: `${reversed}-BOOM` } });

    const { text, json } = await show(outcome.runId);
    // The SDK's own bookkeeping (local activity and patch markers), if any, is in clear, and holds orchestration data only.
    const bookkeeping = sdkBookkeeping<JsonPayload>(json, PATCH_IDS);
    // Exactly the markers batonRun records for this run: its data fields only (the results and failures went through the codec).
    expect(bookkeeping.map(({ kind }) => kind)).toEqual(EXPECTED_BOOKKEEPING);
    for (const entry of bookkeeping) expect(entry.onlyBookkeeping(), entry.kind).not.toBeUndefined();
    const sdkOwn = new Set(bookkeeping.map(({ payload }) => payload));
    const payloads = payloadsIn(json).filter((payload) => !sdkOwn.has(payload));
    // the start input, each activity's input and result, the run's result
    expect(payloads.length).toBeGreaterThan(6);
    for (const payload of payloads) {
      expect(metadataText(payload, 'encoding')).toBe('binary/encrypted');
      expect(metadataText(payload, 'encryption-key-id')).toBe(stack.config.keyRing.currentKeyId);
    }
    // The one other thing in clear: the BatonWorkflow search attribute, the definition's name, which Temporal indexes.
    const indexed = payloadsIn(json, 'searchAttributes').filter((payload) => !sdkOwn.has(payload));
    expect(indexed.map((payload) => Buffer.from(payload.data ?? '', 'base64').toString())).toEqual(['"marked"']);
    const readable = readableBytes(text, [...payloads, ...indexed, ...sdkOwn]);
    for (const secret of [marker, reversed, shouted, reversed.toUpperCase()]) {
      expect(readable.includes(Buffer.from(secret))).toBe(false);
      expect(readable.includes(Buffer.from(secret.toLowerCase()))).toBe(false);
    }
    // ...and orchestration data is all there is: the block ids show only through the codec
    expect(text).not.toContain('"shout"');

    const files = (await readdir(stack.resultsDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const bytes = await readFile(join(file.parentPath, file.name));
      for (const secret of [marker, reversed, shouted]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });

  it('is decoded by the codec server for the Temporal CLI, which shows the plan and no marker', async () => {
    const marker = `MARKER${Math.random().toString(36).slice(2, 12)}`;
    const outcome = await stack.run(MARKED, { secret: marker });
    expect(outcome.status).toBe('completed');
    const decoded = await show(outcome.runId, ['--codec-endpoint', codecServer.url, '--codec-auth', `Bearer ${CODEC_TOKEN}`]);
    const payloads = payloadsIn(decoded.json);
    expect(payloads.some((payload) => metadataText(payload, 'encoding') === 'binary/encrypted')).toBe(false);
    // the plan travels as orchestration data: block ids and types, never code or trigger data
    const readable = readableBytes(decoded.text, payloads).toString('utf8');
    expect(readable).toContain('"shout"');
    expect(readable).toContain(`"runId":"${outcome.runId}"`);
    expect(readable).not.toContain(marker);
    expect(readable).not.toContain('toUpperCase');

    // Without the token the codec server answers 401, and the CLI gets nothing decoded.
    await expect(show(outcome.runId, ['--codec-endpoint', codecServer.url, '--command-timeout', '3s'])).rejects.toThrow(/Command failed/);
  });

  it('is read and written by the client, the worker and the codec server through one memoised data converter', () => {
    const converter = dataConverterFor(stack.config.keyRing);
    const [codec] = converter.payloadCodecs;
    expect(stack.client.options.loadedDataConverter).toBe(converter);
    const [workerCodec] = stack.worker!.options.loadedDataConverter.payloadCodecs;
    expect(workerCodec).toBeInstanceOf(EndUndecodableRuns);
    expect((workerCodec as EndUndecodableRuns).inner).toBe(codec);
    expect(codecServerDepsFromEnv(stack.env).codec).toBe(codec);
  });
});

describe('a run whose data the worker cannot decode', () => {
  /** Starts `yaml` from a client with `clientRing` (no worker) on the task queue of a worker with `workerRing`. */
  async function runAcrossRings(clientRing: string, workerRing: string) {
    const queue = `undecodable-${Math.random().toString(36).slice(2, 10)}`;
    const client = await startEmbeddedStack({ env: testEnv({ BATON_TASK_QUEUE: queue, BATON_ENCRYPTION_KEYS: clientRing }).env, worker: false });
    // The worker stack starts second: the executors take its settings, as a deploy would give them.
    const worker = await startTestStack({ BATON_TASK_QUEUE: queue, BATON_ENCRYPTION_KEYS: workerRing });
    try {
      const compiled = compileDefinition(parseDefinition(MARKED, 'marked.yaml'));
      const { runId, handle } = await client.start(compiled, { type: 'manual', data: { secret: 'MARKER-never-seen' } });
      const outcome = await watchRun(handle, client.store);
      const description = await handle.describe();
      const { json } = await show(runId);
      return { outcome, status: description.status.name, json };
    } finally {
      await worker.stop();
      await client.stop();
    }
  }

  const lastEvent = (json: unknown) => {
    const events = (json as { events: Array<Record<string, unknown>> }).events;
    return events[events.length - 1]!;
  };

  it('ends TERMINATED naming the unknown key id, instead of retrying forever', async () => {
    const result = await runAcrossRings(`gone:${generateKey()}`, `current:${generateKey()}`);
    expect(result.status).toBe('TERMINATED');
    expect(result.outcome.status).toBe('failed');
    expect(result.outcome.error?.message).toMatch(/^Baton cannot decode this run's data: Temporal payload: ciphertext was sealed with key "gone", which is not in the key ring \(it holds "current"\)/);
    expect(result.outcome.error?.message).not.toContain('MARKER');
    const last = lastEvent(result.json);
    expect(last.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
    expect(JSON.stringify(last)).toContain('sealed with key \\"gone\\"');
  });

  it('ends TERMINATED naming a wrong key under a known id', async () => {
    const result = await runAcrossRings(`same:${generateKey()}`, `same:${generateKey()}`);
    expect(result.status).toBe('TERMINATED');
    expect(result.outcome.error?.message).toMatch(/failed authentication with key "same"/);
  });
});

describe('the dev server Web UI', () => {
  it('is wired to the local codec server, which answers the UI origin only', async () => {
    const port = await freePort();
    const ui = await startEmbeddedStack({
      env: testEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, BATON_CODEC_TOKENS: CODEC_TOKEN }).env,
      ui: true,
      worker: false,
    });
    try {
      expect(ui.devServer?.uiUrl).toBe(`http://127.0.0.1:${port + 1000}`);
      const settings = (await (await fetch(`${ui.devServer!.uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
      const endpoint = settings.Codec?.Endpoint;
      expect(endpoint).toBe(`${ui.codecServer!.url}/token/${CODEC_TOKEN}`);

      // What the UI's page does: POST {endpoint}/decode from its origin, with X-Namespace.
      const [sealed] = await dataConverterFor(ui.config.keyRing).payloadCodecs[0]!.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"seen in the UI"') }]);
      const body = JSON.stringify({
        payloads: [{ metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(sealed!.data!).toString('base64') }],
      });
      const headers = { 'content-type': 'application/json', 'x-namespace': ui.config.temporal.namespace };
      const fromUi = await fetch(`${endpoint}/decode`, { method: 'POST', headers: { ...headers, origin: ui.devServer!.uiUrl! }, body });
      expect(fromUi.status).toBe(200);
      expect(fromUi.headers.get('access-control-allow-origin')).toBe(ui.devServer!.uiUrl);
      const [decoded] = ((await fromUi.json()) as { payloads: Array<{ data: string }> }).payloads;
      expect(Buffer.from(decoded!.data, 'base64').toString()).toBe('"seen in the UI"');

      const elsewhere = await fetch(`${endpoint}/decode`, { method: 'POST', headers: { ...headers, origin: 'http://127.0.0.1:3000' }, body });
      expect(elsewhere.status).toBe(403);
    } finally {
      await ui.stop();
    }
  });
});
