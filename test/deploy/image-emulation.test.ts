/**
 * Both images built and started without Docker (test/support/dockerfile-emulator.ts
 * and docs/images.md say how, and what is skipped): each Dockerfile's
 * stages carried out in scratch roots with this machine's Node 24, then the
 * results run. The executors image's handlers, by the names serverless.yml
 * gives them, serve the local Lambda Invoke endpoint; the worker image's CMD,
 * with its ENV, against the test dev server, reports healthy, passes its own
 * HEALTHCHECK, completes runs whose blocks those executors carry out, and
 * stops with exit 0 on its STOPSIGNAL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateKey } from '../../shared/codec/index.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { createLambdaClient } from '../../shared/lambda/client.ts';
import { startRun, watchRun } from '../../shared/runs/index.ts';
import { openResultStore } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { freePort } from '../../local/free-port.ts';
import { DATABASES, TEST_DB_PASSWORD } from '../support/databases.ts';
import { emulateDockerfile, type EmulatedImage } from '../support/dockerfile-emulator.ts';
import { resolveHandler } from '../support/serve-bundles.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SERVE = join(ROOT, 'test', 'support', 'serve-bundles.ts');
const suffix = Math.random().toString(36).slice(2, 10);
const resultsDir = mkdtempSync(join(tmpdir(), 'baton-image-results-'));
/** What a deployment sets (docker run -e, the Lambda function's environment); nothing of this process's own environment. */
const settings = {
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  // Its own namespace, registered by the worker as in a fresh deployment (it reconciles schedules namespace-wide).
  TEMPORAL_NAMESPACE: `baton-images-${suffix}`,
  BATON_TASK_QUEUE: `images-${suffix}`,
  ENCRYPTION_KEY: generateKey(),
  BATON_RESULTS_URL: `file://${resultsDir}`,
  BATON_RESOURCES: JSON.stringify({ imagedb: { type: 'postgres', url: DATABASES.postgres.url } }),
};
const config = loadConfig(settings);

let worker: EmulatedImage | undefined;
let executors: EmulatedImage | undefined;
/** The build stages' roots, deleted beside the tests. */
let pruned: Promise<unknown> = Promise.resolve();
const buildSeconds: Record<string, number> = {};

async function emulate(dockerfile: string): Promise<EmulatedImage> {
  const started = Date.now();
  const image = await emulateDockerfile(join(ROOT, dockerfile), { context: ROOT });
  buildSeconds[dockerfile] = Math.round((Date.now() - started) / 1000);
  return image;
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

/** The package folders installed anywhere under `dir` (`name` or `@scope/name`). */
function packagesUnder(dir: string): string[] {
  return [...new Set(filesUnder(dir).flatMap((file) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(file)?.[1] ?? []))].sort();
}

function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

beforeAll(async () => {
  const [built, builtExecutors] = await Promise.allSettled([emulate('worker/Dockerfile'), emulate('functions/Dockerfile')]);
  // Kept even when the other failed, so that afterAll deletes it.
  worker = built.status === 'fulfilled' ? built.value : undefined;
  executors = builtExecutors.status === 'fulfilled' ? builtExecutors.value : undefined;
  for (const result of [built, builtExecutors]) if (result.status === 'rejected') throw result.reason;
  console.error(`image emulation: worker ${buildSeconds['worker/Dockerfile']} s, executors ${buildSeconds['functions/Dockerfile']} s (built side by side)`);
  pruned = Promise.all([worker!.removeBuildStages(), executors!.removeBuildStages()]);
}, 600_000);

afterAll(async () => {
  const started = Date.now();
  await pruned;
  await Promise.all([worker?.remove(), executors?.remove()]);
  rmSync(resultsDir, { recursive: true, force: true });
  console.error(`image emulation: clean-up waited ${Math.round((Date.now() - started) / 1000)} s`);
}, 600_000);

describe('worker/Dockerfile, emulated', () => {
  it('carries out every step but --chown and USER, on Node 24', () => {
    expect(worker!.stages.map((stage) => stage.base)).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(worker!.stages[0]!.skipped).toEqual([]);
    expect(worker!.final.skipped.every((step) => /^(COPY --chown=root:root|USER node):/.test(step))).toBe(true);
    expect(worker!.final.user).toBe('node');
    expect(worker!.final.cmd).toEqual(['node', '--enable-source-maps', 'dist/worker.mjs']);
  });

  it('holds the built artefact, the definitions and @temporalio/core-bridge with what it loads: no TypeScript, tsx, isolated-vm or esbuild', () => {
    const app = worker!.hostPath('/app');
    expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'workflows']);
    const dist = readdirSync(join(app, 'dist'));
    expect(dist).toEqual(expect.arrayContaining(['worker.mjs', 'failure-converter.mjs', 'workflow-bundle.js']));
    expect(dist.filter((file) => !/^(worker|failure-converter|workflow-worker-thread|chunk-[A-Z0-9]+)\.mjs(\.map)?$|^workflow-bundle\.js$|^mappings\.wasm$/.test(file))).toEqual([]);
    expect(filesUnder(app).filter((file) => !file.startsWith('node_modules/') && /\.(ts|tsx|cts|mts)$/.test(file))).toEqual([]);

    const packages = packagesUnder(app);
    expect(packages).toContain('@temporalio/core-bridge');
    const forbidden = packages.filter((name) => /^(isolated-vm|esbuild|@esbuild\/.*|tsx|typescript|webpack|@swc\/.*|@temporalio\/worker)$/.test(name));
    expect(forbidden).toEqual([]);
    // One native binary: the SDK core's, for this platform only.
    const native = filesUnder(app).filter((file) => file.endsWith('.node'));
    expect(native).toEqual([`node_modules/@temporalio/core-bridge/releases/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-unknown-linux-gnu/index.node`]);
    // The bundle's one external package resolves inside the image, not from this repository.
    const resolved = createRequire(join(app, 'dist', 'worker.mjs')).resolve('@temporalio/core-bridge');
    expect(resolved.startsWith(join(app, 'node_modules') + '/')).toBe(true);
  });
});

describe('functions/Dockerfile, emulated', () => {
  it('installs isolated-vm from its prebuilt binary, compiling nothing, next to the two handlers serverless.yml names', () => {
    expect(executors!.stages.map((stage) => stage.base)).toEqual(['public.ecr.aws/lambda/nodejs:24', 'public.ecr.aws/lambda/nodejs:24']);
    expect(executors!.stages.flatMap((stage) => stage.skipped)).toEqual([]);
    const taskRoot = executors!.processEnv().LAMBDA_TASK_ROOT!;
    expect(taskRoot).toBe(executors!.hostPath('/var/task'));
    const native = filesUnder(taskRoot).filter((file) => file.endsWith('.node'));
    // This platform's prebuilt binaries only (glibc and musl, one per Node ABI): node-gyp-build picks one at load.
    expect(native.length).toBeGreaterThan(0);
    expect(native.filter((file) => !new RegExp(`^node_modules/isolated-vm/prebuilds/linux-${process.arch}/[^/]+\\.node$`).test(file))).toEqual([]);
    // isolated-vm with its loader, and Pyodide (Python blocks) with what its package.json names.
    expect(packagesUnder(taskRoot)).toEqual(['@types/emscripten', 'isolated-vm', 'node-gyp-build', 'pyodide', 'ws']);
    expect(statSync(join(executors!.hostPath('/var/task'), 'python-snapshot')).isDirectory()).toBe(true);
    expect(() => statSync(join(taskRoot, 'node_modules', 'isolated-vm', 'build'))).toThrow(/ENOENT/);

    const functions = (parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { functions: Record<string, { image?: { command?: string[] } }> }).functions;
    expect(functions['code-executor']?.image?.command).toEqual(executors!.final.cmd);
    for (const name of ['code-executor', 'db-connector']) {
      const handler = functions[name]?.image?.command?.[0];
      expect(handler).toBe(`${name}.handler`);
      expect(resolveHandler(taskRoot, handler!).file).toBe(join(taskRoot, `${name}.mjs`));
    }
  });
});

describe('the two images started', () => {
  let served: ChildProcess | undefined;
  let servedExit: Promise<number | string> | undefined;
  let servedOutput: () => string = () => '';
  let endpoint = '';

  beforeAll(async () => {
    // The Lambda runtime's part: load each function's handler from the task root, by the name serverless.yml gives it.
    const taskRoot = executors!.processEnv().LAMBDA_TASK_ROOT!;
    served = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), SERVE, taskRoot, `${config.functions.codeExecutor}=code-executor.handler`, `${config.functions.dbConnector}=db-connector.handler`],
      { cwd: taskRoot, env: executors!.processEnv({ ...settings, [`BATON_SECRET_TEST_DB_PASSWORD`]: TEST_DB_PASSWORD }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    servedOutput = output(served);
    servedExit = exitOf(served);
    endpoint = await new Promise<string>((resolve, reject) => {
      served!.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim().split('\n')[0]!));
      void servedExit!.then((code) => reject(new Error(`the executors exited (${code}) before serving:\n${servedOutput()}`)));
    });
  }, 60_000);

  afterAll(async () => {
    served?.kill('SIGTERM');
    await servedExit;
  });

  it("answer invocations through the local Lambda endpoint: the db-connector refuses what is not an invocation", async () => {
    const lambda = createLambdaClient({ endpoint });
    const refused = await lambda.send(new InvokeCommand({ FunctionName: config.functions.dbConnector, Payload: Buffer.from('{"nonsense":true}') }));
    expect(refused.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(refused.Payload!).toString())).toEqual({
      v: 1,
      fatal: { type: 'EnvelopeError', message: 'invocation payload must be { v: 1, enc: string }' },
    });
  });

  it('the worker: healthy, its HEALTHCHECK passes, runs complete on the executors image, STOPSIGNAL ends it with exit 0', async () => {
    const [healthPort, metricsPort] = [await freePort(), await freePort()];
    const runtime = { ...settings, BATON_LAMBDA_ENDPOINT: endpoint, BATON_HEALTH_PORT: String(healthPort), BATON_METRICS_PORT: String(metricsPort), BATON_METRICS_HOST: '127.0.0.1' };
    const child = worker!.start({ env: runtime });
    const logs = output(child);
    const exited = exitOf(child);
    let done = false;
    void exited.then(() => (done = true));
    const healthCheck = () => {
      const [command, ...args] = worker!.final.healthcheck!;
      const check = spawn(command === 'node' ? process.execPath : command!, args, { cwd: worker!.hostPath('/app'), env: worker!.processEnv(runtime), stdio: 'ignore' });
      return exitOf(check);
    };
    try {
      const deadline = Date.now() + 90_000;
      while (!(await fetch(`http://127.0.0.1:${healthPort}/healthz`).then((r) => r.ok, () => false))) {
        if (done) throw new Error(`the worker image exited during start-up:\n${logs()}`);
        if (Date.now() > deadline) throw new Error(`the worker image did not become healthy:\n${logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await healthCheck()).toBe(0);

      const client = await connectClient(settings, config);
      const store = openResultStore(config.resultsUrl, config.keyRing);
      try {
        const hello = compileDefinition(parseDefinition(readFileSync(join(ROOT, 'workflows', 'hello.yaml'), 'utf8'), 'hello.yaml'));
        const run = await startRun({ client, store, taskQueue: config.taskQueue, compiled: hello, trigger: { type: 'manual', data: { name: 'Image' } } });
        const outcome = await watchRun(run.handle, store);
        expect(outcome.status, JSON.stringify(outcome)).toBe('completed');
        expect(outcome.output).toMatchObject({ summary: { message: 'Hello, Image!', sum: 15, ranOn: 'hello' } });

        const query = compileDefinition(
          parseDefinition('name: image-query\nblocks:\n  - id: two\n    type: query\n    resource: imagedb\n    sql: select 1 + 1 as two\n', 'image-query.yaml'),
        );
        const queried = await watchRun((await startRun({ client, store, taskQueue: config.taskQueue, compiled: query, trigger: { type: 'manual', data: null } })).handle, store);
        expect(queried.status, JSON.stringify(queried)).toBe('completed');
        expect(queried.output).toMatchObject({ two: { rows: [{ two: 2 }], rowCount: 1 } });
      } finally {
        await client.connection.close();
      }

      child.kill(worker!.final.stopSignal as NodeJS.Signals);
      expect(await exited, logs()).toBe(0);
      expect(logs()).toMatch(/baton worker: stopped/);
      // The health check fails once nothing answers: it checks the worker, not the machine.
      expect(await healthCheck()).toBe(1);
    } finally {
      if (!done) child.kill('SIGKILL');
    }
  }, 180_000);
});
