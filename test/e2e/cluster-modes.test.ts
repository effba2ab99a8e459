/**
 * The cluster modes for real: nginx (test/support/nginx.ts) terminates TLS in
 * front of the run's Temporal dev server the way a self-hosted cluster with
 * mTLS, or Temporal Cloud with an API key, would; the CA and certificates are
 * made here. Clients and the worker (worker/runner.ts, as the container runs
 * it) connect through the same settings code the product uses.
 */
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig, type Env } from '../../shared/config/index.ts';
import { clientConnectionOptions, temporalSettings } from '../../shared/temporal/index.ts';
import type { EmbeddedStack } from '../../local/stack.ts';
import { connectWorker } from '../../worker/connect.ts';
import { issueCert, makeCa, type CertFiles } from '../support/certs.ts';
import { startTlsProxy, type TlsProxy } from '../support/nginx.ts';
import { envWith, startWorkerRunnerStack, type WorkerRunnerStack } from '../support/worker-runner-stack.ts';
import { rejection } from '../support/rejection.ts';

const API_KEY = 'test-api-key-5f1c';

let dir: string;
let proxy: TlsProxy;
let serverCa: string;
let clientA: CertFiles;
let clientB: CertFiles;
let caBundleA: string;
let caBundleB: string;
let caBundleAB: string;

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


function envFor(stack: EmbeddedStack, overrides: Env): Env {
  return { ...stack.env, ...overrides };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-tls-'));
  const serverAuthority = makeCa(dir, 'server-ca');
  serverCa = serverAuthority.cert;
  const server = issueCert(serverAuthority, 'temporal-server', 'server');
  const caA = makeCa(dir, 'client-ca-a');
  const caB = makeCa(dir, 'client-ca-b');
  clientA = issueCert(caA, 'worker-a', 'client');
  clientB = issueCert(caB, 'worker-b', 'client');
  caBundleA = join(dir, 'bundle-a.pem');
  caBundleB = join(dir, 'bundle-b.pem');
  caBundleAB = join(dir, 'bundle-ab.pem');
  writeFileSync(caBundleA, readFileSync(caA.cert));
  writeFileSync(caBundleB, readFileSync(caB.cert));
  writeFileSync(caBundleAB, Buffer.concat([readFileSync(caA.cert), readFileSync(caB.cert)]));
  proxy = await startTlsProxy(dir, { upstream: inject('temporalAddress'), server, clientCaBundle: caBundleA, apiKey: API_KEY });
});

afterAll(async () => {
  await proxy?.stop();
});

describe('mTLS (a self-hosted cluster behind a proxy with ssl_verify_client on)', () => {
  let through: WorkerRunnerStack;
  let certPath: string;
  let keyPath: string;

  beforeAll(async () => {
    // The paths the worker is configured with; their contents are replaced later.
    certPath = join(dir, 'client.pem');
    keyPath = join(dir, 'client.key');
    writeFileSync(certPath, readFileSync(clientA.cert));
    writeFileSync(keyPath, readFileSync(clientA.key));
    through = await startWorkerRunnerStack({
      TEMPORAL_ADDRESS: proxy.mtlsAddress,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: serverCa,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      BATON_TLS_RELOAD_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    await through?.stop();
  });

  it('runs a workflow with the worker and the client on client certificates', async () => {
    expect(through.runner.settings.mode).toBe('mtls');
    const outcome = await through.run('mtls');
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ greet: 'hello over mtls' });
  });

  it('refuses the worker and a client without a client certificate', async () => {
    const { stack } = through;
    const noCert = envFor(stack, { TEMPORAL_TLS_CLIENT_CERT_PATH: undefined, TEMPORAL_TLS_CLIENT_KEY_PATH: undefined });
    const workerError = await rejection(connectWorker(noCert, stack.config));
    expect(workerError.message).toMatch(/GetSystemInfo/);
    const clientError = await rejection(
      Connection.connect({ ...clientConnectionOptions(temporalSettings(noCert, loadConfig(noCert))), connectTimeout: 3000 }),
    );
    expect(clientError.message).toMatch(/Failed to connect/);
    expect(proxy.errorLog()).toMatch(/client sent no required SSL certificate/);
  });

  it('keeps working after the certificate files are replaced, with no restart', async () => {
    // A rotation as an operator does it: the server trusts the new CA, the files change, the old CA goes.
    await proxy.restart(caBundleAB);
    writeAtomically(keyPath, readFileSync(clientB.key, 'utf8'));
    writeAtomically(certPath, readFileSync(clientB.cert, 'utf8'));
    await waitFor('the worker to reconnect with the new files', () => through.runner.reconnects() === 1);
    expect(through.lines).toContain('certificate files changed: reconnected with them; draining the previous connection');
    expect(through.runner.state()).toBe('RUNNING');

    // Now only certificate B is accepted, and every connection made with A is gone.
    await proxy.restart(caBundleB);
    const outcome = await through.run('rotated mtls');
    expect(outcome.status).toBe('completed');
    expect(outcome.output).toEqual({ greet: 'hello over rotated mtls' });

    const withOldCert = envFor(through.stack, { TEMPORAL_TLS_CLIENT_CERT_PATH: clientA.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: clientA.key });
    await expect(connectWorker(withOldCert, through.stack.config)).rejects.toThrow(/GetSystemInfo/);
    expect(proxy.errorLog()).toMatch(/client SSL certificate verify error/);
  });
});

describe('server-authenticated TLS', () => {
  it('connects a client and the worker with the server CA only', async () => {
    const env = envWith({ TEMPORAL_ADDRESS: proxy.tlsAddress, TEMPORAL_TLS_SERVER_CA_CERT_PATH: serverCa, TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    const config = loadConfig(env);
    const settings = temporalSettings(env, config);
    expect(settings.mode).toBe('tls');
    const connection = await Connection.connect(clientConnectionOptions(settings));
    try {
      const described = await connection.workflowService.describeNamespace({ namespace: 'baton-test' });
      expect(described.namespaceInfo?.name).toBe('baton-test');
    } finally {
      await connection.close();
    }
    const native = await connectWorker(env, config);
    await native.close();
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const env = envWith({ TEMPORAL_ADDRESS: proxy.tlsAddress, TEMPORAL_TLS_SERVER_CA_CERT_PATH: caBundleA, TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    await expect(connectWorker(env, loadConfig(env))).rejects.toThrow(/InvalidCertificate\(UnknownIssuer\)/);
  });
});

describe('API key (as Temporal Cloud takes it)', () => {
  it('runs a workflow with the key as a bearer token, worker and client alike', async () => {
    const through = await startWorkerRunnerStack({
      TEMPORAL_ADDRESS: proxy.apiKeyAddress,
      TEMPORAL_API_KEY: API_KEY,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: serverCa,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    try {
      expect(through.runner.settings.mode).toBe('api-key');
      const outcome = await through.run('api key');
      expect(outcome.status).toBe('completed');
      expect(outcome.output).toEqual({ greet: 'hello over api key' });
    } finally {
      await through.stop();
    }
  });

  it('is refused with a wrong key', async () => {
    const env = envWith({
      TEMPORAL_ADDRESS: proxy.apiKeyAddress,
      TEMPORAL_API_KEY: 'not-the-key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: serverCa,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    await expect(connectWorker(env, loadConfig(env))).rejects.toThrow(/401 Unauthorized/);
  });
});
