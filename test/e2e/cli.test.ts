/** The `baton` command as a user runs it: a child process, exit codes, stdout and stderr. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyRingFromEnv } from '../../shared/codec/index.ts';
import { startTestStack, testEnv } from '../support/test-stack.ts';

const BATON = resolve('bin/baton.js');
const HELLO = resolve('workflows/hello.yaml');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function baton(args: string[], env: NodeJS.ProcessEnv = process.env, cwd = mkdtempSync(join(tmpdir(), 'baton-cli-'))): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BATON, ...args], { env, cwd, timeout: 90_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'baton-def-')), name);
  writeFileSync(path, text);
  return path;
}

describe('baton validate', () => {
  it('accepts a valid definition', async () => {
    const result = await baton(['validate', HELLO]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('hello.yaml: ok');
  });

  it('lists every error with its path and exits 1', async () => {
    const file = writeTemp(
      'bad.yaml',
      `name: Bad_Name
blocks:
  - id: a
    type: code
    code: return 1
    retyr: { maxAttempts: 2 }
  - id: b
    type: query
  - id: c
    type: code
    after: [nope]
    code: "return (1"
`,
    );
    const result = await baton(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('name: must match');
    expect(result.stderr).toContain('blocks[0].retyr: unknown field');
    expect(result.stderr).toContain('blocks[1].resource: ');
    expect(result.stderr).toContain('blocks[1].sql: ');
    expect(result.stderr).toContain('blocks[2].code: syntax error (line 1, column');
  });
});

describe('baton run', () => {
  it('prints the output as JSON on stdout, the run and its blocks on stderr, and exits 0', async () => {
    const { env } = testEnv();
    const result = await baton(['run', HELLO, '--input', '{"name":"CLI"}'], env);
    expect(result.stderr).toMatch(/run run-[a-z0-9]+-[0-9a-f]+ \(hello\)/);
    expect(result.stderr).toMatch(/summary completed in \d+ ms/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ summary: { message: 'Hello, CLI!', sum: 15, ranOn: 'hello' } });
  });

  it('exits 1 naming the failing block and its message', async () => {
    const { env } = testEnv();
    const file = writeTemp('fails.yaml', 'name: fails\nblocks:\n  - id: oops\n    type: code\n    code: "throw new Error(\'bad input\')"\n');
    const result = await baton(['run', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('failed at block "oops"');
    expect(result.stderr).toContain('bad input');
  });

  it('refuses bad --input before starting anything', async () => {
    const result = await baton(['run', HELLO, '--input', '{nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--input is not valid JSON');
  });
});

describe('baton keygen', () => {
  it('prints a key the key ring accepts', async () => {
    const result = await baton(['keygen']);
    expect(result.code).toBe(0);
    const key = result.stdout.trim();
    expect(keyRingFromEnv({ ENCRYPTION_KEY: key }).keyIds).toHaveLength(1);
  });

  it('prints ring entries: a new one, and the current ENCRYPTION_KEY under the id it already has', async () => {
    const entry = (await baton(['keygen', '--entry'])).stdout.trim();
    expect(keyRingFromEnv({ BATON_ENCRYPTION_KEYS: entry }).keyIds).toEqual([entry.split(':')[0]]);
    const key = (await baton(['keygen'])).stdout.trim();
    const current = await baton(['keygen', '--from-env'], { ...process.env, ENCRYPTION_KEY: key });
    expect(current.code).toBe(0);
    // Rotating from a lone key: the old key keeps its id inside the ring, so what it sealed still opens.
    const rotated = keyRingFromEnv({ BATON_ENCRYPTION_KEYS: `${entry},${current.stdout.trim()}` });
    const sealed = keyRingFromEnv({ ENCRYPTION_KEY: key }).seal(Buffer.from('sealed before'));
    expect(rotated.open(sealed).toString()).toBe('sealed before');
    const missing = await baton(['keygen', '--from-env'], { ...process.env, ENCRYPTION_KEY: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENCRYPTION_KEY: not set');
  });

  it('prints a bearer token', async () => {
    const token = (await baton(['keygen', '--token'])).stdout.trim();
    expect(token).toMatch(/^bt_[A-Za-z0-9_-]{32}$/);
  });
});

describe('baton runs and baton schedules', () => {
  it('list, show, rerun from a block, and sync schedules, each with --json', async () => {
    const stack = await startTestStack();
    try {
      const env = { ...process.env, ...(stack.env as NodeJS.ProcessEnv) };
      const cwd = mkdtempSync(join(tmpdir(), 'baton-cli-runs-'));
      mkdirSync(join(cwd, 'workflows'));
      writeFileSync(
        join(cwd, 'workflows', 'two.yaml'),
        [
          'name: two',
          'triggers:',
          '  schedules: [{ id: nightly, cron: "0 3 * * *", timezone: Europe/Berlin }]',
          'blocks:',
          '  - { id: a, type: code, code: "return Math.random()" }',
          '  - { id: b, type: code, after: [a], code: "return a.data" }',
        ].join('\n'),
      );
      const ran = await baton(['run', 'workflows/two.yaml'], env, cwd);
      expect(ran.code, ran.stderr).toBe(0);
      const runId = /run (run-[a-z0-9-]+) \(two\)/.exec(ran.stderr)![1]!;

      // Visibility is eventually consistent, and each poll starts a `baton` process: give it time.
      await expect.poll(async () => JSON.parse((await baton(['runs', 'list', '--workflow', 'two', '--json'], env, cwd)).stdout || '[]'), { timeout: 30_000, interval: 500 }).toEqual([
        expect.objectContaining({ runId, workflow: 'two', status: 'completed' }),
      ]);
      const shown = JSON.parse((await baton(['runs', 'show', runId, '--json'], env, cwd)).stdout) as { blocks: Record<string, { status: string }> };
      expect(shown.blocks.b!.status).toBe('completed');
      const block = JSON.parse((await baton(['runs', 'show', runId, '--block', 'a', '--json'], env, cwd)).stdout) as { data: number };

      const rerun = await baton(['runs', 'rerun', runId, '--from', 'b', '--wait', '--json'], env, cwd);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(JSON.parse(rerun.stdout)).toMatchObject({ reused: ['a'], status: 'completed', output: { b: block.data } });

      const synced = await baton(['schedules', 'sync', '--json'], env, cwd);
      expect(JSON.parse(synced.stdout)).toMatchObject({ created: ['baton-two-nightly'] });
      const listed = JSON.parse((await baton(['schedules', 'list', '--json'], env, cwd)).stdout) as Array<{ id: string; workflow: string }>;
      expect(listed).toEqual([expect.objectContaining({ id: 'baton-two-nightly', workflow: 'two', paused: false })]);
      rmSync(join(cwd, 'workflows', 'two.yaml'));
      expect(JSON.parse((await baton(['schedules', 'sync', '--json'], env, cwd)).stdout)).toMatchObject({ deleted: ['baton-two-nightly'] });
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
