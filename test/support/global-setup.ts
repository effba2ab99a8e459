/**
 * One real Temporal dev server (in memory, free ports) for the whole test run,
 * and the workflow bundle built once; both are handed to the test files.
 * A missing Temporal CLI fails the run loudly: no test is skipped for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../local/dev-server.ts';
import { quietTemporalRuntime } from '../../local/stack.ts';
import { bundleBatonWorkflows } from '../../worker/index.ts';

export const TEST_NAMESPACE = 'baton-test';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  quietTemporalRuntime();
  dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const [started, bundle] = await Promise.all([
    startDevServer({ namespaces: [TEST_NAMESPACE] }),
    bundleBatonWorkflows(),
  ]);
  server = started;
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
