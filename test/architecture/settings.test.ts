/**
 * Each process declares every setting it reads in one schema
 * (worker/settings.ts, defineExecutor's settingsSchema), so that a bad one
 * stops it at start with one line. This keeps the schemas complete: every
 * `env.NAME` read in a process's own code (the files its bundle holds) must
 * be a key of its schema, or one of the names read by pattern.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { workerBuildOptions } from '../../scripts/bundle-worker.ts';
import { workerSettingsSchema } from '../../worker/settings.ts';
import { codeExecutor } from '../../functions/code-executor/executor.ts';
import { dbConnector } from '../../functions/db-connector/executor.ts';
import { apiSettingsSchema } from '../../functions/api/config.ts';
import { codecSettingsSchema } from '../../functions/codec-server/settings.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Read by pattern, not by a fixed name: BATON_SECRET_<NAME>, <SETTING>_SSM_PARAMETER / _SECRET_ARN, and the AWS SDK's own. */
const BY_PATTERN = [/^BATON_SECRET_[A-Z0-9_]*$/, /_SSM_PARAMETER$/, /_SECRET_ARN$/, /^AWS_[A-Z0-9_]+$/];

async function ownFilesOf(options: Parameters<typeof build>[0]): Promise<string[]> {
  const result = await build({ ...options, write: false, metafile: true, logLevel: 'silent' });
  return Object.keys((result.metafile as Metafile).inputs)
    .map((path) => relative(ROOT, join(ROOT, path)))
    .filter((path) => !path.includes('node_modules/') && path.endsWith('.ts'));
}

/** `env.NAME` and `env['NAME']` reads, by file. */
function settingsReadIn(files: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/\benv(?:\.|\[\s*['"])([A-Z][A-Z0-9_]+)\b/g)) {
      found.set(match[1]!, [...(found.get(match[1]!) ?? []), file]);
    }
  }
  return found;
}

function undeclared(read: Map<string, string[]>, schemaKeys: string[]): string[] {
  return [...read.entries()]
    .filter(([name]) => !schemaKeys.includes(name) && !BY_PATTERN.some((pattern) => pattern.test(name)))
    .map(([name, files]) => `${name} (read in ${[...new Set(files)].join(', ')})`);
}

describe('every setting a process reads is in its one schema', () => {
  it('the worker (worker/settings.ts)', async () => {
    const files = await ownFilesOf(workerBuildOptions());
    expect(files).toContain('worker/settings.ts');
    const read = settingsReadIn(files);
    expect(read.size).toBeGreaterThan(3);
    expect(undeclared(read, Object.keys(workerSettingsSchema.shape))).toEqual([]);
  });

  for (const [executor, entry] of [
    [codeExecutor, 'functions/code-executor/handler.ts'],
    [dbConnector, 'functions/db-connector/handler.ts'],
  ] as const) {
    it(`the ${executor.name} (defineExecutor's settingsSchema)`, async () => {
      const files = await ownFilesOf({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
      });
      const read = settingsReadIn(files);
      expect(read.size).toBeGreaterThan(2);
      expect(undeclared(read, Object.keys(executor.settingsSchema.shape))).toEqual([]);
    });
  }
});

describe('every setting the HTTP front doors read is in their schemas', () => {
  for (const [name, schema, entry] of [
    ['the API', apiSettingsSchema, 'functions/api/handler.ts'],
    ['the codec server', codecSettingsSchema, 'functions/codec-server/handler.ts'],
  ] as const) {
    it(name, async () => {
      const files = await ownFilesOf({ entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', packages: 'external' });
      const read = settingsReadIn(files);
      expect(files.length).toBeGreaterThan(3);
      // Settings shared with the other processes are declared in coreSettings, which the API's schema spreads.
      expect(undeclared(read, Object.keys(schema.shape))).toEqual([]);
    });
  }
});

describe('a bad setting stops start-up with one line naming it', () => {
  it('names the setting and what it must be, and never echoes a secret', async () => {
    const { loadWorkerSettings } = await import('../../worker/settings.ts');
    expect(() => loadWorkerSettings({ BATON_HEALTH_PORT: 'eighty' })).toThrow(/^BATON_HEALTH_PORT: must be a port number, got "eighty"$/);
    expect(() => loadWorkerSettings({ BATON_WORKER_ACTIVITY_POLLERS: 'many' })).toThrow(/^BATON_WORKER_ACTIVITY_POLLERS: /);
    expect(() => loadWorkerSettings({ TEMPORAL_ADDRESS: 'no port' })).toThrow(/^TEMPORAL_ADDRESS: must be host:port, got "no port"$/);
    expect(() => codeExecutor.bind({ BATON_MAX_RESULT_BYTES: '-1' })).toThrow(/^BATON_MAX_RESULT_BYTES: must be a positive whole number of bytes/);
    expect(() => dbConnector.bind({ BATON_SECRETS_SOURCE: 'vault' })).toThrow(/^BATON_SECRETS_SOURCE: must be one of env, ssm, secretsmanager/);
    const secret = 'not-a-key-s3cr3t';
    let message = '';
    try {
      loadWorkerSettings({ ENCRYPTION_KEY: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^ENCRYPTION_KEY: /);
    expect(message).not.toContain(secret);
  });
});
