/** Python blocks on the real PythonSandbox: scope, results, logs, errors, limits, fresh interpreters. */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PythonSandbox } from '../../../../../functions/executor/sandbox/python/index.ts';
import { capWasmMemory } from '../../../../../functions/executor/sandbox/python/wasm-memory-cap.ts';
import { SecretMask } from '../../../../../shared/secrets/secret-mask.ts';
import { pythonRunner } from './python-helpers.ts';

const sandbox = new PythonSandbox({ poolSize: 1, secrets: new SecretMask(['hunter2-secret']) });
const { run, value, failure, stillWorks } = pythonRunner(sandbox);
afterAll(() => sandbox.dispose());

describe('scope and results', () => {
  it('reads a mentioned block as orders["data"] and orders.data, nested too', async () => {
    const orders = { data: { rows: [{ total: '2.5' }, { total: '4' }] }, status: 'completed' };
    expect(await value('return [orders["data"]["rows"][0]["total"], sum(float(r.total) for r in orders.data.rows), orders.status]', { orders })).toEqual([
      '2.5',
      6.5,
      'completed',
    ]);
  });

  it('gives None for undefined values and a clear AttributeError for a missing key', async () => {
    expect(await value('return skipped.data is None', { skipped: { data: undefined, status: 'skipped' } })).toBe(true);
    const error = await failure('return orders.dta', { scope: { orders: { data: 1 } } });
    expect(error).toEqual({ name: 'AttributeError', message: "no key 'dta' (keys: data) (line 1)" });
  });

  it('returns JSON: None is null, tuples are lists, unicode is kept', async () => {
    expect(await value('return None')).toBeNull();
    expect(await value('return {"t": (1, 2), "s": "héllo ✓"}')).toEqual({ t: [1, 2], s: 'héllo ✓' });
  });

  it('fails a result JSON cannot hold, naming why', async () => {
    expect(await failure('return {1, 2}')).toMatchObject({ name: 'ResultError', message: expect.stringContaining('set is not JSON serializable') });
    expect(await failure('return float("nan")')).toMatchObject({ name: 'ResultError', message: expect.stringContaining('Out of range float') });
  });

  it('refuses a result over the byte limit', async () => {
    expect(await failure('return "x" * 5000', { maxResultBytes: 1000 })).toEqual({
      name: 'ResultTooLarge',
      message: 'result is at least 5002 bytes, over the limit of 1000 bytes (BATON_MAX_RESULT_BYTES)',
    });
    expect(await failure('return ["é" * 10] * 100', { maxResultBytes: 1000 })).toMatchObject({ name: 'ResultTooLarge', message: expect.stringContaining('result is 2') });
  });
});

describe('errors name type, message and line', () => {
  it('an exception fails the block with its type, message and the line in the code', async () => {
    expect(await failure('x = 1\ny = {}\nreturn y["missing"]')).toEqual({ name: 'KeyError', message: "'missing' (line 3)" });
    expect(await failure('def f():\n    raise ValueError("bad value")\n\nreturn f()')).toEqual({ name: 'ValueError', message: 'bad value (line 2)' });
  });

  it('a syntax error names line and column, and keeps line numbers of the code', async () => {
    expect(await failure('x = 1\nif x ==\n  pass')).toMatchObject({ name: 'SyntaxError', message: expect.stringMatching(/\(line 2, column \d+\)$/) });
  });

  it('await is refused: a block is a plain function', async () => {
    expect(await failure('await foo()')).toMatchObject({ name: 'SyntaxError', message: expect.stringContaining("'await' outside") });
  });

  it('a multi-line string keeps its content (the code is not re-indented)', async () => {
    expect(await value('s = """a\nb"""\nreturn s')).toBe('a\nb');
  });
});

describe('logs', () => {
  it('captures print, stderr and logging with their levels', async () => {
    const result = await run('import logging, sys\nprint("one", 2)\nprint("no newline", end="")\nsys.stderr.write("bad\\n")\nlogging.info("info %s", 3)\nlogging.getLogger("x").warning("careful")\nreturn 1');
    expect(result.ok).toBe(true);
    expect(result.logs.map((l) => [l.level, l.message])).toEqual([
      ['log', 'one 2'],
      ['error', 'bad'],
      ['info', 'info 3'],
      ['warn', 'careful'],
      ['log', 'no newline'],
    ]);
  });

  it('masks secret values in logs and errors', async () => {
    const result = await run('print("token hunter2-secret")\nraise RuntimeError("hunter2-secret leaked")');
    expect(result.logs[0]?.message).toBe('token ****');
    expect(result.ok ? undefined : result.error.message).toBe('**** leaked (line 2)');
  });
});

describe('fresh interpreter per run', () => {
  it('globals, builtins and modules changed by one run are gone in the next', async () => {
    expect(await value('import builtins, json\nbuiltins.leaked = 1\njson.dumps = None\nreturn 1')).toBe(1);
    expect(await value('import json\nreturn [hasattr(__builtins__, "leaked"), json.dumps([1])]')).toEqual([false, '[1]']);
    await stillWorks();
  });

  it('random numbers differ between interpreters booted from one snapshot', async () => {
    const a = await value('import random, os\nreturn [random.random(), os.urandom(8).hex()]');
    const b = await value('import random, os\nreturn [random.random(), os.urandom(8).hex()]');
    expect(a).not.toEqual(b);
  });
});

describe('the snapshot on disk', () => {
  it('is written once, reused by the next sandbox, and made anew when the file is damaged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-python-snapshot-'));
    try {
      const first = new PythonSandbox({ poolSize: 0, snapshotDir: dir });
      expect(await pythonRunner(first).value('return 1')).toBe(1);
      first.dispose();
      const [file] = readdirSync(dir);
      expect(file).toMatch(/^pyodide-[0-9a-f]{24}\.snapshot$/);
      const path = join(dir, file!);
      const size = statSync(path).size;
      expect(size).toBeGreaterThan(1_000_000);

      writeFileSync(path, 'not a snapshot');
      const second = new PythonSandbox({ poolSize: 0, snapshotDir: dir });
      expect(await pythonRunner(second).value('return 2')).toBe(2);
      second.dispose();
      expect(statSync(path).size).toBe(size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('many runs at once', () => {
  it('each gets its own fresh interpreter, booting at most two at a time', async () => {
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => value('import builtins\nseen = hasattr(builtins, "mark")\nbuiltins.mark = n\nreturn [n * 2, seen]', { n })));
    expect(results).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n * 2, false]));
    expect(sandbox.peakParallelBoots).toBeLessThanOrEqual(2);
  });
});

describe('limits', () => {
  it('a CPU loop times out and the sandbox serves the next run', async () => {
    expect(await failure('while True:\n    pass', { timeoutMs: 300 })).toEqual({ name: 'TimeoutError', message: 'timed out after 300 ms' });
    await stillWorks();
  });

  it('a memory bomb raises MemoryError inside Python (the wasm memory is capped)', async () => {
    expect(await failure('x = []\nwhile True:\n    x.append(" " * 10_000_000)')).toMatchObject({ name: 'MemoryError' });
    await stillWorks();
  });

  it('rejects a bad request with a clear error', async () => {
    expect(await failure('return 1', { timeoutMs: 0 })).toMatchObject({ name: 'SandboxError', message: expect.stringContaining('timeoutMs') });
    expect(await failure('return 1', { scope: { __x: 1 } })).toMatchObject({ name: 'SandboxError', message: expect.stringContaining('"__x"') });
  });
});

describe('capWasmMemory', () => {
  const memoryModule = (flags: number, min: number, max?: number) =>
    new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, max === undefined ? 3 : 4, 1, flags, min, ...(max === undefined ? [] : [max])]);

  it('sets the maximum of the memory, with or without one before', () => {
    expect([...capWasmMemory(memoryModule(0, 2), 1).slice(8)]).toEqual([5, 4, 1, 1, 2, 16]);
    expect([...capWasmMemory(memoryModule(1, 2, 100), 2).slice(8)]).toEqual([5, 4, 1, 1, 2, 32]);
  });

  it('refuses a cap below the minimum, and a binary with no memory', () => {
    expect(() => capWasmMemory(memoryModule(0, 64), 1)).toThrow('over the cap of 16 pages');
    expect(() => capWasmMemory(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 1)).toThrow('defines no memory');
  });
});
