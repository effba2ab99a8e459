/**
 * The two container images (worker/Dockerfile, functions/Dockerfile: the
 * executors), as written: both files validate; the properties each image
 * promises hold (multi-stage, Node 24, a built artefact and only the packages
 * its bundles leave external, non-root, prebuilt workflow bundle, health
 * check); every COPY source exists and is not ignored; single build steps
 * work (the workflow prebuild, the executor bundles serving a real run).
 * test/deploy/image-emulation.test.ts builds and starts them whole.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { definedEnv, loadConfig } from '../../shared/config/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { createLambdaClient } from '../../shared/lambda/client.ts';
import { ensureSearchAttribute, startRun, watchRun } from '../../shared/runs/index.ts';
import { openResultStore } from '../../shared/store/index.ts';
import { connectClient } from '../../shared/temporal/index.ts';
import { quietTemporalRuntime } from '../../local/stack.ts';
import { connectWorker } from '../../worker/connect.ts';
import { createBatonWorker } from '../../worker/index.ts';
import { bundleLambda, EXTERNAL } from '../../scripts/bundle-lambda.ts';
import { WORKER_EXTERNAL } from '../../scripts/bundle-worker.ts';
import { testEnv } from '../support/test-stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions by stage: continuation lines joined, comments dropped. */
function stagesOf(path: string): Instruction[][] {
  const text = readFileSync(join(ROOT, path), 'utf8').replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    if (instruction.keyword !== 'ARG' || stages.length > 0) stages.at(-1)?.push(instruction);
  }
  return stages;
}

const argsOf = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

/** Sources of COPY instructions that come from the build context (not --from another stage). */
function contextSources(stages: Instruction[][]): string[] {
  return stages.flat().flatMap((instruction) => {
    if (instruction.keyword !== 'COPY' || instruction.args.includes('--from=')) return [];
    const parts = instruction.args.split(/\s+/).filter((part) => !part.startsWith('--'));
    return parts.slice(0, -1);
  });
}

const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe.each(['worker/Dockerfile', 'functions/Dockerfile'])('%s', (path) => {
  it('validates, and copies only sources that exist and that .dockerignore lets through', () => {
    const diagnostics = validate(readFileSync(join(ROOT, path), 'utf8'));
    expect(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    for (const source of contextSources(stagesOf(path))) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} is ignored`).toBe(false);
    }
  });
});

describe('the worker image', () => {
  const stages = stagesOf('worker/Dockerfile');
  const final = stages.at(-1)!;

  it('is multi-stage on Node 24, runs as a non-root user, and starts the built dist/worker.mjs with a health check', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(ROOT, 'worker/Dockerfile'), 'utf8')).toMatch(/^ARG NODE_IMAGE=node:24-[a-z-]+$/m);
    expect(stages.every((stage) => /^\$\{NODE_IMAGE\}/.test(stage[0]!.args))).toBe(true);
    const user = argsOf(final, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(argsOf(final, 'CMD')[0]).toBe('["node", "--enable-source-maps", "dist/worker.mjs"]');
    expect(argsOf(final, 'HEALTHCHECK')[0]).toContain('http://127.0.0.1:${process.env.BATON_HEALTH_PORT || 8080}/healthz');
    expect(argsOf(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('ships the bundles and only the packages they leave external, and the workflow bundle prebuilt where BATON_WORKFLOW_BUNDLE points', () => {
    const buildName = stages[0]![0]!.args.split(/\s+AS\s+/i)[1];
    expect(argsOf(stages[0]!, 'RUN')[0]).toMatch(/^npm ci /);
    expect(argsOf(stages[0]!, 'RUN')[0]).not.toContain('--ignore-scripts');
    const copyRun = argsOf(stages[0]!, 'RUN').find((run) => run.includes('scripts/copy-packages.ts'))!;
    expect(/copy-packages\.ts runtime (.+)$/.exec(copyRun)?.[1]?.split(/\s+/)).toEqual(WORKER_EXTERNAL);
    expect(argsOf(final, 'COPY')).toContain(`--from=${buildName} --chown=root:root /app/runtime/node_modules ./node_modules`);
    expect(argsOf(final, 'COPY')).toContain(`--from=${buildName} --chown=root:root /app/dist ./dist`);
    expect(argsOf(final, 'RUN')).toEqual([]); // nothing installed into the final stage itself

    const buildRun = stages.flat().find((i) => i.keyword === 'RUN' && i.args.includes('scripts/build-workflow-bundle.ts'));
    const bundleOut = /build-workflow-bundle\.ts\s+(\S+)/.exec(buildRun!.args)![1]!;
    expect(argsOf(final, 'ENV').join(' ')).toContain(`BATON_WORKFLOW_BUNDLE=/app/${bundleOut}`);
  });

  it('runs its prebuild step: scripts/build-workflow-bundle.ts writes the bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
    try {
      const out = join(dir, 'dist', 'workflow-bundle.js');
      const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), join(ROOT, 'scripts', 'build-workflow-bundle.ts'), out], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/workflow bundle: .*workflow-bundle\.js \(\d+ KiB\)/);
      const code = readFileSync(out, 'utf8');
      expect(code).toContain('batonRun');
      expect(code.length).toBeGreaterThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("imports nothing at run time that is not a production dependency", async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'worker', 'main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const packages = new Set<string>();
    for (const input of Object.values(result.metafile.inputs)) {
      for (const imported of input.imports) {
        if (!imported.external || imported.path.startsWith('node:')) continue;
        const parts = imported.path.split('/');
        packages.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    expect(packages.size).toBeGreaterThan(5);
    const notProduction = [...packages].filter((name) => !(name in packageJson.dependencies));
    expect(notProduction).toEqual([]);
  });
});

describe('the executors image', () => {
  const stages = stagesOf('functions/Dockerfile');
  const final = stages.at(-1)!;
  let outDir: string | undefined;
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('builds and runs on the Lambda nodejs24 base image, with --no-node-snapshot for isolated-vm, a handler per executor', () => {
    expect(readFileSync(join(ROOT, 'functions/Dockerfile'), 'utf8')).toMatch(/^ARG LAMBDA_IMAGE=public\.ecr\.aws\/lambda\/nodejs:24$/m);
    expect(stages.every((stage) => stage[0]!.args.startsWith('${LAMBDA_IMAGE}'))).toBe(true);
    expect(argsOf(final, 'ENV').join(' ')).toContain('NODE_OPTIONS=--no-node-snapshot');
    expect(argsOf(final, 'CMD')).toEqual(['["code-executor.handler"]']);
    const bundleRun = stages.flat().find((i) => i.keyword === 'RUN' && i.args.includes('scripts/bundle-lambda.ts'))!.args;
    expect(bundleRun).toMatch(/bundle-lambda\.ts dist code-executor db-connector$/);
    // The packages the bundles leave external are the ones the image carries, from the lockfile's npm ci.
    expect(argsOf(stages[0]!, 'RUN')[0]).toMatch(/^npm ci /);
    const copyRun = stages.flat().find((i) => i.keyword === 'RUN' && i.args.includes('scripts/copy-packages.ts'))!.args;
    expect(/copy-packages\.ts runtime (.+)$/.exec(copyRun)?.[1]?.split(/\s+/)).toEqual(EXTERNAL);
    // isolated-vm 7 loads a prebuilt binary: no compiler is installed, nothing compiled.
    expect(stages.flat().filter((i) => i.keyword === 'RUN' && /(^|[\s;&|])(dnf|gcc|g\+\+|make|node-gyp)(\s|$)/.test(i.args))).toEqual([]);
  });

  it('bundles with scripts/bundle-lambda.ts, and the bundles serve a real run from a process of their own', async () => {
    // Inside the repository, so the bundles' external packages resolve from node_modules as they would in the image.
    mkdirSync(join(ROOT, '.baton'), { recursive: true });
    outDir = mkdtempSync(join(ROOT, '.baton', 'test-executors-'));
    const codeBundle = await bundleLambda('code-executor', outDir);
    const dbBundle = await bundleLambda('db-connector', outDir);
    expect([codeBundle, dbBundle].map((path) => path.slice(outDir!.length + 1))).toEqual(['code-executor.mjs', 'db-connector.mjs']);

    quietTemporalRuntime();
    const { env } = testEnv();
    const names = loadConfig(env).functions;
    // The bundles read their settings from the environment, as in Lambda.
    const served = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'run-ts.js'), join(ROOT, 'test', 'support', 'serve-bundles.ts'), outDir, `${names.codeExecutor}=code-executor.handler`, `${names.dbConnector}=db-connector.handler`],
      { cwd: ROOT, env: definedEnv(env), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => served.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        served.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
        served.once('exit', (code) => reject(new Error(`serve-bundles.ts exited (${code}) before it served`)));
      });
      const config = loadConfig({ ...env, BATON_LAMBDA_ENDPOINT: url });
      const lambda = createLambdaClient({ endpoint: url });

      // The db-connector bundle: a payload that is not an invocation gets the protocol's refusal.
      const refused = await lambda.send(new InvokeCommand({ FunctionName: names.dbConnector, Payload: Buffer.from('{"nonsense":true}') }));
      expect(JSON.parse(Buffer.from(refused.Payload!).toString())).toEqual({
        v: 1,
        fatal: { type: 'EnvelopeError', message: 'invocation payload must be { v: 1, enc: string }' },
      });

      // The code-executor bundle runs the blocks of a real run.
      const store = openResultStore(config.resultsUrl, config.keyRing);
      const client = await connectClient(env, config);
      await ensureSearchAttribute(client, config.temporal.namespace);
      const connection = await connectWorker(env, config);
      const worker = await createBatonWorker({ connection, config, lambda, store, workflowBundle: { codePath: inject('workflowBundlePath') } });
      const running = worker.run();
      try {
        const compiled = compileDefinition(parseDefinition(readFileSync(join(ROOT, 'workflows', 'hello.yaml'), 'utf8'), 'hello.yaml'));
        const { handle } = await startRun({ client, store, taskQueue: config.taskQueue, compiled, trigger: { type: 'manual', data: { name: 'Image' } } });
        const outcome = await watchRun(handle, store);
        expect(outcome.status).toBe('completed');
        expect(JSON.stringify(outcome.output)).toContain('Hello, Image!');
      } finally {
        worker.shutdown();
        await running;
        await connection.close();
        await client.connection.close();
      }
    } finally {
      served.kill('SIGTERM');
      await exited;
    }
  });
});
