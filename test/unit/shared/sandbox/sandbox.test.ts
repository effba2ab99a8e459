import { afterAll, describe, expect, it } from 'vitest';
import { transpileBlock } from '../../../../shared/definition/syntax.ts';
import { Sandbox, type RunCodeRequest, type RunCodeResult } from '../../../../shared/sandbox/index.ts';

const sandbox = new Sandbox({ memoryLimitMb: 64 });
afterAll(() => sandbox.dispose());

function request(code: string, options: Partial<Omit<RunCodeRequest, 'functionSource'>> = {}): RunCodeRequest {
  return {
    functionSource: transpileBlock({ code, language: 'javascript' }),
    scope: {},
    timeoutMs: 2000,
    maxResultBytes: 1024 * 1024,
    ...options,
  };
}

async function run(code: string, options: Partial<Omit<RunCodeRequest, 'functionSource'>> = {}): Promise<RunCodeResult> {
  return sandbox.run(request(code, options));
}

async function value(code: string, scope: Record<string, unknown> = {}): Promise<unknown> {
  const result = await run(code, { scope });
  if (!result.ok) throw new Error(`sandbox failed: ${result.error.name}: ${result.error.message}`);
  return result.json === undefined ? undefined : JSON.parse(result.json);
}

async function failure(code: string, options: Partial<Omit<RunCodeRequest, 'functionSource'>> = {}) {
  const result = await run(code, options);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

/** After any failure, the same Sandbox instance still runs normal code. */
async function stillWorks(): Promise<void> {
  expect(await value('return { sum: n + 1 };', { n: 41 })).toEqual({ sum: 42 });
}

describe('Sandbox results', () => {
  it('returns the result as JSON', async () => {
    const result = await run('return { a: 1, list: [1, "two", null], nested: { ok: true } };');
    expect(result).toMatchObject({ ok: true, json: '{"a":1,"list":[1,"two",null],"nested":{"ok":true}}' });
    expect(await value('return;')).toBeUndefined();
    expect(await value('return "text";')).toBe('text');
  });

  it('makes scope values visible as globals', async () => {
    const scope = { orders: { data: [{ id: 1 }, { id: 2 }] }, trigger: { data: { name: 'Ada' } } };
    expect(await value('return [orders.data.length, trigger.data.name, typeof globalThis.orders];', scope)).toEqual([2, 'Ada', 'object']);
  });

  it('captures console lines with their levels', async () => {
    const before = Date.now();
    const result = await run('console.log("a", 1, { b: 2 }); console.info("i"); console.warn("w"); console.error(new Error("boom")); console.debug("d"); return 0;');
    expect(result.ok).toBe(true);
    expect(result.logs.map((l) => [l.level, l.message.split('\n')[0]])).toEqual([
      ['log', 'a 1 {"b":2}'],
      ['info', 'i'],
      ['warn', 'w'],
      ['error', 'Error: boom'],
      ['debug', 'd'],
    ]);
    for (const line of result.logs) expect(line.at).toBeGreaterThanOrEqual(before);
  });

  it('runs async code', async () => {
    expect(await value('const x = await Promise.resolve(20); const y = await (async () => 22)(); return x + y;')).toBe(42);
  });

  it('reports a thrown error by name and message, keeping the logs before it', async () => {
    const result = await run('console.log("before"); throw new TypeError("bad input");');
    expect(result).toMatchObject({ ok: false, error: { name: 'TypeError', message: 'bad input' } });
    expect(result.logs.map((l) => l.message)).toEqual(['before']);
    await stillWorks();
  });

  it('refuses a result that is not JSON-serialisable', async () => {
    expect(await failure("const a = {}; a.self = a; return a;")).toMatchObject({ name: "ResultError" });
    await stillWorks();
  });
});

describe('Sandbox limits', () => {
  it('times out a CPU loop with TimeoutError', async () => {
    const started = Date.now();
    expect(await failure('while (true) {}', { timeoutMs: 200 })).toEqual({ name: 'TimeoutError', message: 'timed out after 200 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
    await stillWorks();
  });

  it('times out a loop that starts after an await', async () => {
    expect((await failure('await null; while (true) {}', { timeoutMs: 200 })).name).toBe('TimeoutError');
    await stillWorks();
  });

  it('times out a promise that never settles', async () => {
    expect((await failure('await new Promise(() => {}); return 1;', { timeoutMs: 200 })).name).toBe('TimeoutError');
    await stillWorks();
  });

  it('stops a memory bomb with MemoryLimitError', async () => {
    const error = await failure('const hog = []; while (true) hog.push(new Array(100000).fill(Math.random()));', { timeoutMs: 30_000 });
    expect(error).toEqual({ name: 'MemoryLimitError', message: 'exceeded the memory limit of 64 MB' });
    await stillWorks();
  });

  it('fails deep recursion with a RangeError', async () => {
    const error = await failure('const f = (n) => f(n + 1) + 1; return f(0);');
    expect(error.name).toBe('RangeError');
    expect(error.message).toMatch(/call stack/i);
    await stillWorks();
  });

  it('refuses a result over maxResultBytes, naming its size', async () => {
    const error = await failure('return "x".repeat(2000);', { maxResultBytes: 1000 });
    expect(error.name).toBe('ResultTooLarge');
    // the JSON string is 2000 characters plus two quotes
    expect(error.message).toContain('2002 bytes');
    expect(error.message).toContain('1000');
    await stillWorks();
  });
});

describe('Sandbox isolation', () => {
  it('has no process, require, setTimeout or fetch in scope', async () => {
    expect(await value('return [typeof process, typeof require, typeof setTimeout, typeof fetch, typeof module, typeof globalThis.__batonLog, typeof globalThis.__batonInput];')).toEqual(
      Array(7).fill('undefined'),
    );
    expect((await failure('return process.env;')).name).toBe('ReferenceError');
    await stillWorks();
  });

  it('gives each run a fresh context: globals set by one run are not seen by the next', async () => {
    expect(await value('globalThis.leak = "secret"; Array.prototype.evil = 1; return typeof leak;')).toBe('string');
    expect(await value('return [typeof globalThis.leak, typeof [].evil];')).toEqual(['undefined', 'undefined']);
  });

  it('scope from one run is not visible in the next', async () => {
    expect(await value('return typeof orders;', { orders: { data: 1 } })).toBe('object');
    expect(await value('return typeof orders;')).toBe('undefined');
  });

  it('cannot replace console', async () => {
    const result = await run('try { console = null; } catch {} console.log("still here"); return 1;');
    expect(result.ok).toBe(true);
    expect(result.logs.map((l) => l.message)).toEqual(['still here']);
  });
});
