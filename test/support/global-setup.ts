/**
 * One real Temporal dev server (in memory, free ports) for the whole test run,
 * the workflow bundle and the run viewer built once, and a moto server (S3 / SSM / Secrets
 * Manager); all are handed to the test files. PostgreSQL and MariaDB are
 * started when they are not up. A missing Temporal CLI, moto or database
 * fails the run loudly: no test is skipped for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../local/dev-server.ts';
import { quietTemporalRuntime } from '../../local/stack.ts';
import { bundleBatonWorkflows } from '../../worker/index.ts';
import { startMoto, type MotoServer } from './moto.ts';
import { ensureDatabases } from './databases.ts';
import { buildUi } from '../../local/ui-build.ts';

export const TEST_NAMESPACE = 'baton-test';
/**
 * Its own namespace for test/e2e/key-rotation.test.ts: its schedule is sealed
 * under keys no other file holds, and every schedule sync lists a whole namespace.
 */
export const ROTATION_NAMESPACE = 'baton-rotation';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    /** A local S3 / SSM / Secrets Manager endpoint (moto). */
    motoEndpoint: string;
    /** The run viewer, built once (local/ui-build.ts). */
    uiDir: string;
  }
}

let server: DevServer | undefined;
let moto: MotoServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  quietTemporalRuntime();
  dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const [started, bundle, motoServer] = await Promise.all([
    startDevServer({ namespaces: [TEST_NAMESPACE, ROTATION_NAMESPACE] }),
    bundleBatonWorkflows(),
    startMoto(),
    ensureDatabases(),
    buildUi(join(dir, 'ui')),
  ]);
  server = started;
  moto = motoServer;
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('motoEndpoint', moto.endpoint);
  project.provide('uiDir', join(dir, 'ui'));
}

export async function teardown(): Promise<void> {
  await Promise.all([server?.stop(), moto?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}
