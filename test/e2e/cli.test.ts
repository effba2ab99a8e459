/** The `baton` command as a user runs it: a child process, exit codes, stdout and stderr. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyRingFromEnv } from '../../shared/codec/index.ts';
import { testEnv } from '../support/test-stack.ts';

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
});
