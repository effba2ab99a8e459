/**
 * Baton on a real self-hosted Temporal cluster, made by `scripts/cluster.sh
 * up` (test/support/cluster.ts): PostgreSQL, four history shards, and the
 * frontend, history, matching and worker services as separate processes.
 * The embedded stack finds the server at TEMPORAL_ADDRESS and uses it; the
 * same language cases as on the dev server run on it; two worker processes
 * share a task queue while one is SIGKILLed; and with --tls the server's own
 * mTLS refuses clients without a certificate and takes a rotated one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Env } from '../../shared/config/index.ts';
import { listRuns, watchRun } from '../../shared/runs/index.ts';
import { clientConnectionOptions, temporalSettings } from '../../shared/temporal/index.ts';
import { isListening } from '../../local/free-port.ts';
import { connectWorker } from '../../worker/connect.ts';
import { chargedOtherThanOnce, notCompleted, startFaultStack, until, type FaultStack } from '../fault/support/fault-stack.ts';
import { issueCert, makeCa } from '../support/certs.ts';
import { processRuns, startCluster, type Cluster } from '../support/cluster.ts';
import { rejection } from '../support/rejection.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';
import { envWith, SHARED_KEY_AND_STORE, startWorkerRunnerStack, type WorkerRunnerStack } from '../support/worker-runner-stack.ts';
import { responseUpdate, storeKeys } from '../../shared/contract/index.ts';

/** The first `up` on a machine builds the server (about 5 minutes on 2 cores). */
const UP_TIMEOUT_MS = 900_000;
const DAY_MS = 24 * 3600 * 1000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

function baton(args: string[], env: Env): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  return new Promise((done) => {
    execFile(process.execPath, [resolve('bin/baton.js'), ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('a cluster from scripts/cluster.sh up', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster();
    console.log(`[cluster] scripts/cluster.sh up: ${(cluster.upMs / 1000).toFixed(1)} s (${cluster.address})`);
  }, UP_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.down();
  }, 120_000);

  it('is up with four services, PostgreSQL, and Baton\'s namespace and search attribute', async () => {
    const status = await cluster.script(['status']);
    expect(status.code).toBe(0);
    for (const part of ['postgres', 'history', 'matching', 'frontend', 'worker']) {
      expect(status.stdout).toMatch(new RegExp(`^${part} +running`, 'm'));
    }
    const pids = Object.values(cluster.pids());
    expect(new Set(pids).size).toBe(5);

    const connection = await Connection.connect({ address: cluster.address });
    try {
      const info = await connection.workflowService.getClusterInfo({});
      expect(info.historyShardCount).toBe(4);
      expect(info.persistenceStore).toMatch(/^postgres/);
      const described = await connection.workflowService.describeNamespace({ namespace: cluster.namespace });
      const retentionSeconds = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
      expect(retentionSeconds * 1000).toBe(14 * DAY_MS);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: cluster.namespace });
      expect(attributes.customAttributes?.BatonWorkflow).toBe(proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    } finally {
      await connection.close();
    }
  });

  it('prints the same settings again when it is already up, and starts nothing new', async () => {
    const before = cluster.pids();
    const again = await cluster.script(['up']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').at(-1)).toBe(`TEMPORAL_ADDRESS=${cluster.address}`);
    expect(again.stderr).toContain('already up');
    expect(cluster.pids()).toEqual(before);
    console.log(`[cluster] scripts/cluster.sh up when up: ${(again.ms / 1000).toFixed(1)} s`);
    const tls = await cluster.script(['up', '--tls']);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toContain('is up without TLS');
  });

  describe('Baton\'s e2e path on it', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await startTestStack({
        ...SHARED_KEY_AND_STORE,
        TEMPORAL_ADDRESS: cluster.address,
        TEMPORAL_NAMESPACE: cluster.namespace,
      });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('uses the cluster rather than starting a dev server', () => {
      expect(stack.devServer).toBeUndefined();
      expect(stack.config.temporal.address).toBe(cluster.address);
    });

    it('runs code blocks, in order, and lists the run by its BatonWorkflow attribute', async () => {
      const outcome = await stack.run(`
name: on-cluster
blocks:
  - id: greeting
    type: code
    code: return 'hello ' + trigger.data.name
  - id: shout
    type: code
    after: [greeting]
    code: return greeting.data.toUpperCase()
`, { name: 'cluster' });
      expect(outcome.status).toBe('completed');
      expect(outcome.output).toEqual({ shout: 'HELLO CLUSTER' });
      // SQL visibility is written by history's visibility queue, a moment after the run.
      await eventually('the run in visibility', async () =>
        (await listRuns(stack.client, { workflow: 'on-cluster' })).some((run) => run.runId === outcome.runId && run.status === 'completed'),
      );
    });

    it('takes a branch and skips the other side', async () => {
      const outcome = await stack.run(`
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
`, { n: 50 });
      expect(outcome.status).toBe('completed');
      expect(outcome.final!.blocks.size).toMatchObject({ status: 'completed', taken: 0 });
      expect(outcome.final!.blocks.small!.status).toBe('skipped');
      expect(outcome.output).toEqual({ big: 'big 50' });
    });

    it('runs a loop with results in item order', async () => {
      const outcome = await stack.run(`
name: loop
blocks:
  - id: squares
    type: loop
    over: "Array.from({ length: 50 }, (_, i) => i)"
    concurrency: 10
    body:
      type: code
      code: return item * item
  - id: check
    type: code
    after: [squares]
    code: return squares.data.every((value, i) => value === i * i) && squares.data.length
`);
      expect(outcome.status).toBe('completed');
      expect(outcome.output).toEqual({ check: 50 });
      expect(outcome.final!.blocks.squares!.items).toEqual({ total: 50, completed: 50, failed: 0 });
    });

    it('runs another workflow as a child run', async () => {
      const child = `
name: child
blocks:
  - id: doubled
    type: code
    code: return trigger.data.value * 2
`;
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
      expect(outcome.final!.blocks.call!.childRunId).toBe(`${outcome.runId}-call`);
    });

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

    it('answers a response block through a workflow update while the run goes on', async () => {
      const { runId, handle } = await stack.begin(`
name: early-reply
blocks:
  - id: reply
    type: response
    status: 201
    body: { hello: "{{ trigger.data.name }}" }
  - id: later
    type: wait
    after: [reply]
    duration: 1s
`, { name: 'Ada' });
      expect(await handle.executeUpdate(responseUpdate)).toEqual({ blockId: 'reply' });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const stored = await stack.store.getJson<{ data: unknown }>(storeKeys.block(runId, 'reply'));
      expect(stored?.data).toMatchObject({ status: 201, body: { hello: 'Ada' } });
      const outcome = await watchRun(handle, stack.store);
      expect(outcome.status).toBe('completed');
    });
  });

  describe('two worker processes on one task queue', () => {
    let fault: FaultStack;

    beforeAll(async () => {
      fault = await startFaultStack({ temporalAddress: cluster.address, namespace: cluster.namespace });
    }, 180_000);
    afterAll(async () => {
      await fault?.stop();
    });

    /** Starts `count` probe runs and waits for all of them; returns them and the rate. */
    async function measured(count: number) {
      const started = performance.now();
      const runIds = await fault.startRuns(count);
      const settled = await fault.settle(runIds, 240_000);
      const seconds = (performance.now() - started) / 1000;
      expect(notCompleted(settled)).toEqual([]);
      return { runIds, rate: count / seconds, seconds };
    }

    it('loses no run and duplicates none when one of them is SIGKILLed half-way through 200 runs', async () => {
      const RUNS = 200;
      const MEASURED = 100;
      // A measurement, printed and never asserted: the probe's five blocks a run, one worker, then two.
      const one = await measured(MEASURED);
      const survivor = await fault.addWorker();
      const two = await measured(MEASURED);
      console.log(
        `[cluster] probe runs/s (5 blocks each: 3 http, a 300 ms timer, code): one worker ${one.rate.toFixed(1)} (${MEASURED} in ${one.seconds.toFixed(1)} s), ` +
          `two workers ${two.rate.toFixed(1)} (${MEASURED} in ${two.seconds.toFixed(1)} s)`,
      );

      const charged = fault.ledger.applied.size;
      const runIds = await fault.startRuns(RUNS);
      // Half-way: half the charges of these runs applied, and some answers held back, so blocks are in flight.
      await until(() => fault.ledger.applied.size - charged >= (RUNS * 3) / 2);
      fault.ledger.hold();
      await until(() => fault.ledger.held > 0);
      const killed = fault.worker;
      await killed.kill();
      expect(killed.alive).toBe(false);
      const heldWhenKilled = fault.ledger.held;
      const duplicatesBefore = fault.ledger.duplicateRequests;
      fault.ledger.release();

      // No restart: the other worker takes over what the dead one held, once its heartbeats time out.
      const settled = await fault.settle(runIds, 240_000);
      expect(survivor.alive).toBe(true);
      expect(notCompleted(settled)).toEqual([]);
      for (const run of settled) expect(run.output).toEqual({ receipt: { charged: 200, refunds: 2 } });
      const all = [...one.runIds, ...two.runIds, ...runIds];
      expect(new Set(all).size).toBe(all.length);
      expect(chargedOtherThanOnce(fault.ledger, all)).toEqual([]);
      expect(fault.ledger.applied.size).toBe(all.length * 3);
      expect(fault.ledger.keylessRequests).toBe(0);
      // Temporal holds exactly these runs on the queue, each completed once (visibility catches up in a moment).
      const query = `TaskQueue = '${fault.config.taskQueue}'`;
      await eventually('visibility to count every run', async () => (await fault.client.workflow.count(`${query} AND ExecutionStatus = 'Completed'`)).count === all.length);
      expect((await fault.client.workflow.count(query)).count).toBe(all.length);
      console.log(
        `[cluster] SIGKILL of one of two workers: ${heldWhenKilled} charges in flight, ` +
          `${fault.ledger.duplicateRequests - duplicatesBefore} asked again and not applied again, ${RUNS} of ${RUNS} runs completed`,
      );
    }, 600_000);
  });

  it('down stops exactly the processes up started', async () => {
    const pids = cluster.pids();
    const devServer = inject('temporalAddress').split(':');
    expect(Object.keys(pids).sort()).toEqual(expect.arrayContaining(['frontend', 'history', 'matching', 'worker']));
    await cluster.down();
    for (const [name, pid] of Object.entries(pids)) expect({ name, runs: processRuns(pid) }).toEqual({ name, runs: false });
    // What it did not start goes on: the test run's dev server and PostgreSQL.
    expect(await isListening(devServer[0]!, Number(devServer[1]))).toBe(true);
    expect(await isListening('127.0.0.1', 5432)).toBe(true);
    expect(await isListening('127.0.0.1', Number(cluster.address.split(':')[1]))).toBe(false);
  }, 120_000);
});

describe('a cluster from scripts/cluster.sh up --tls', () => {
  let cluster: Cluster;
  let dir: string;
  let certPath: string;
  let keyPath: string;
  let through: WorkerRunnerStack;

  function writeAtomically(path: string, text: string): void {
    writeFileSync(`${path}.new`, text);
    renameSync(`${path}.new`, path);
  }

  /** Whether a fresh connection with this certificate pair gets through to the frontend now. */
  async function accepted(cert: string, key: string): Promise<boolean> {
    const env = envWith({ ...cluster.settings, TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key });
    try {
      const connection = await connectWorker(env, loadConfig(env));
      await connection.close();
      return true;
    } catch {
      return false;
    }
  }

  beforeAll(async () => {
    // The server re-reads its certificate files every second, so the rotation below takes seconds.
    cluster = await startCluster({ tls: true, tlsRefreshInterval: '1s' });
    console.log(`[cluster] scripts/cluster.sh up --tls: ${(cluster.upMs / 1000).toFixed(1)} s`);
    dir = mkdtempSync(join(tmpdir(), 'baton-cluster-tls-'));
    // The worker's own copies of the client certificate, replaced during the rotation.
    certPath = join(dir, 'client.pem');
    keyPath = join(dir, 'client.key');
    writeFileSync(certPath, readFileSync(cluster.settings.TEMPORAL_TLS_CLIENT_CERT_PATH!));
    writeFileSync(keyPath, readFileSync(cluster.settings.TEMPORAL_TLS_CLIENT_KEY_PATH!));
    through = await startWorkerRunnerStack({
      ...cluster.settings,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      BATON_TLS_RELOAD_INTERVAL_MS: '100',
    });
  }, UP_TIMEOUT_MS);

  afterAll(async () => {
    await through?.stop();
    await cluster?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('runs a workflow with the worker and the client on the printed client certificate', async () => {
    expect(through.runner.settings.mode).toBe('mtls');
    const outcome = await through.run('mtls');
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ greet: 'hello over mtls' });
  });

  it('refuses a worker and a client without a certificate, over TLS and over plaintext', async () => {
    const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...serverOnly } = cluster.settings;
    const noCert = envWith(serverOnly);
    expect(temporalSettings(noCert, loadConfig(noCert)).mode).toBe('tls');
    const workerError = await rejection(connectWorker(noCert, loadConfig(noCert)));
    expect(workerError.message).toMatch(/GetSystemInfo|certificate/i);
    const clientError = await rejection(
      Connection.connect({ ...clientConnectionOptions(temporalSettings(noCert, loadConfig(noCert))), connectTimeout: 3000 }),
    );
    expect(clientError.message).toMatch(/Failed to connect/);

    const plain = envWith({ TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: cluster.namespace });
    expect(temporalSettings(plain, loadConfig(plain)).mode).toBe('plain');
    await expect(connectWorker(plain, loadConfig(plain))).rejects.toThrow();
    await expect(Connection.connect({ address: cluster.address, connectTimeout: 3000 })).rejects.toThrow(/Failed to connect/);
  });

  it('serves `baton run` with exactly the settings up printed', async () => {
    const result = await baton(['run', resolve('workflows/hello.yaml'), '--input', '{"name":"CLI"}'], envWith({ ...cluster.settings }));
    expect(result.stderr).toMatch(/summary completed in \d+ ms/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ summary: { message: 'Hello, CLI!', sum: 15, ranOn: 'hello' } });
  }, 150_000);

  it('keeps working when the client certificate is rotated to a new CA, with no restart of anything', async () => {
    // The frontend trusts the client CAs in two files, one certificate each (scripts/cluster/tls.yaml says why).
    const trusted = join(cluster.tlsDir, 'trusted-client-ca.pem');
    const trustedNext = join(cluster.tlsDir, 'trusted-client-ca-next.pem');
    const newCa = makeCa(dir, 'client-ca-b');
    const rotated = issueCert(newCa, 'worker-b', 'client');
    const oldCert = { cert: cluster.settings.TEMPORAL_TLS_CLIENT_CERT_PATH!, key: cluster.settings.TEMPORAL_TLS_CLIENT_KEY_PATH! };
    expect(await accepted(rotated.cert, rotated.key)).toBe(false);

    // 1: the cluster trusts the new CA beside the old one (the server re-reads its files by itself).
    writeAtomically(trustedNext, readFileSync(newCa.cert, 'utf8'));
    await eventually('the frontend to accept the new CA', () => accepted(rotated.cert, rotated.key));
    expect(await accepted(oldCert.cert, oldCert.key)).toBe(true);
    // 2: the worker's files change; it reconnects with them and drains the old connection.
    writeAtomically(keyPath, readFileSync(rotated.key, 'utf8'));
    writeAtomically(certPath, readFileSync(rotated.cert, 'utf8'));
    await eventually('the worker to reconnect with the new files', () => through.runner.reconnects() === 1);
    expect(through.lines).toContain('certificate files changed: reconnected with them; draining the previous connection');
    expect(through.runner.state()).toBe('RUNNING');
    // 3: the old CA goes; certificates it signed are refused from now on.
    writeAtomically(trusted, readFileSync(newCa.cert, 'utf8'));
    await eventually('the frontend to refuse the old CA', async () => !(await accepted(oldCert.cert, oldCert.key)));

    const outcome = await through.run('rotated mtls');
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ greet: 'hello over rotated mtls' });
  }, 180_000);
});
