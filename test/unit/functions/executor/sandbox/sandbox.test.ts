import { afterAll, describe, expect, it } from 'vitest';
import { transpileBlock } from '../../../../../shared/definition/syntax.ts';
import { Sandbox } from '../../../../../functions/executor/sandbox/index.ts';
import { codeRunner } from './helpers.ts';
import { SecretMask } from '../../../../../shared/secrets/secret-mask.ts';

const sandbox = new Sandbox({ memoryLimitMb: 64 });
afterAll(() => sandbox.dispose());
const { run, value, failure, stillWorks } = codeRunner(sandbox);

describe('Sandbox results', () => {
  it('returns the result as JSON', async () => {
    const result = await run('return { a: 1, list: [1, "two", null], nested: { ok: true } };');
    expect(result).toMatchObject({ ok: true, json: '{"a":1,"list":[1,"two",null],"nested":{"ok":true}}' });
    expect(await value('return;')).toBeUndefined();
    expect(await value('return "text";')).toBe('text');
    expect(await value('return () => 1;')).toBeUndefined();
  });

  it('makes scope values visible as globals, undefined ones included', async () => {
    const scope = { orders: { data: [{ id: 1 }, { id: 2 }] }, trigger: { data: { name: 'Ada' } }, item: undefined };
    expect(await value('return [orders.data.length, trigger.data.name, typeof globalThis.orders, item === undefined];', scope)).toEqual([
      2,
      'Ada',
      'object',
      true,
    ]);
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

  it('shows values JSON cannot hold in console lines', async () => {
    const result = await run('console.log(undefined, 10n, Symbol("s"), () => 1); const c = {}; c.c = c; console.log(c); return 0;');
    expect(result.logs.map((l) => l.message)).toEqual(['undefined 10 Symbol(s) () => 1', '[object Object]']);
  });

  it('caps console lines, their length, and says how many were dropped', async () => {
    const result = await run('for (let i = 0; i < 1500; i++) console.log("line", i); console.log("x".repeat(20000)); return 1;');
    expect(result.ok).toBe(true);
    expect(result.logs).toHaveLength(1001);
    expect(result.logs[999]?.message).toBe('line 999');
    expect(result.logs[1000]).toMatchObject({ level: 'warn', message: '501 more console lines dropped' });
    const long = await run('console.log("x".repeat(20000)); return 1;');
    expect(long.logs[0]?.message).toBe(`${'x'.repeat(8192)}…`);
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

  it('reports thrown values that are not errors', async () => {
    expect(await failure('throw "plain text";')).toEqual({ name: 'Error', message: 'plain text' });
    expect(await failure('throw { name: "Custom", message: "from an object" };')).toEqual({ name: 'Custom', message: 'from an object' });
    expect(await failure('throw null;')).toEqual({ name: 'Error', message: 'null' });
  });

  it('fails a block that leaves a rejected promise unhandled, naming it', async () => {
    expect(await failure('Promise.reject(new TypeError("floating")); return 1;')).toEqual({
      name: 'TypeError',
      message: 'floating (a promise was rejected and nothing handled it)',
    });
    await stillWorks();
  });

  it('refuses a result that is not JSON-serialisable, saying why', async () => {
    const cyclic = await failure('const a = {}; a.self = a; return a;');
    expect(cyclic.name).toBe('ResultError');
    expect(cyclic.message).toMatch(/^result is not JSON-serialisable: .*circular/i);
    expect((await failure('return 10n;')).message).toMatch(/BigInt/);
    await stillWorks();
  });

  it('keeps the logs of a block that times out', async () => {
    const result = await run('console.log("started"); while (true) {}', { timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: { name: 'TimeoutError' } });
    expect(result.logs.map((l) => l.message)).toEqual(['started']);
  });
});

describe('Sandbox requests', () => {
  it('refuses a malformed request, naming the field', async () => {
    const good = { functionSource: transpileBlock({ code: 'return 1', language: 'javascript' }), scope: {}, timeoutMs: 100, maxResultBytes: 100 };
    const problems = await Promise.all([
      sandbox.run({ ...good, timeoutMs: 0 }),
      sandbox.run({ ...good, timeoutMs: 1.5 }),
      sandbox.run({ ...good, maxResultBytes: -1 }),
      sandbox.run({ ...good, functionSource: '' }),
      sandbox.run({ ...good, memoryLimitMb: 2 }),
      sandbox.run({ ...good, scope: { console: 1 } }),
      sandbox.run({ ...good, scope: { big: 10n } }),
    ]);
    expect(problems.map((p) => (p.ok ? 'ok' : `${p.error.name}: ${p.error.message}`))).toEqual([
      expect.stringMatching(/^SandboxError: bad sandbox request: timeoutMs must be a whole number .* got 0$/),
      expect.stringMatching(/timeoutMs .* got 1.5$/),
      expect.stringMatching(/maxResultBytes must be a positive whole number, got -1$/),
      'SandboxError: bad sandbox request: functionSource must be a non-empty string',
      'SandboxError: bad sandbox request: memoryLimitMb must be a whole number of at least 8, got 2',
      'SandboxError: bad scope: "console" is a reserved name',
      expect.stringMatching(/^SandboxError: bad scope: .*BigInt/),
    ]);
  });

  it('reports a function source that does not compile as a SyntaxError', async () => {
    const result = await sandbox.run({ functionSource: '(() => { return 1 +', scope: {}, timeoutMs: 100, maxResultBytes: 100 });
    expect(result).toMatchObject({ ok: false, error: { name: 'SyntaxError' } });
    await stillWorks();
  });

  it('refuses bad options at construction', () => {
    expect(() => new Sandbox({ memoryLimitMb: 4 })).toThrow(/memoryLimitMb must be a whole number of at least 8, got 4/);
    expect(() => new Sandbox({ maxUses: 0 })).toThrow(/maxUses must be a positive whole number, got 0/);
  });
});

describe('Sandbox limits', () => {
  it('times out a CPU loop with TimeoutError, and serves the next block', async () => {
    // Whether the isolate is kept depends on which timer wins on a loaded machine; either way the next block runs.
    expect(await failure('while (true) {}', { timeoutMs: 200 })).toEqual({ name: 'TimeoutError', message: 'timed out after 200 ms' });
    await stillWorks();
  });

  it('times out a loop that starts after an await', async () => {
    expect(await failure('await null; while (true) {}', { timeoutMs: 200 })).toEqual({ name: 'TimeoutError', message: 'timed out after 200 ms' });
    await stillWorks();
  });

  it('times out a promise that never settles, and replaces that isolate', async () => {
    const created = sandbox.isolatesCreated;
    expect(await failure('await new Promise(() => {}); return 1;', { timeoutMs: 200 })).toEqual({ name: 'TimeoutError', message: 'timed out after 200 ms' });
    await stillWorks();
    expect(sandbox.isolatesCreated).toBe(created + 1);
  });

  it('stops a memory bomb with MemoryLimitError, and replaces that isolate', async () => {
    const created = sandbox.isolatesCreated;
    const error = await failure('const hog = []; while (true) hog.push(new Array(100000).fill(Math.random()));', { timeoutMs: 30_000 });
    expect(error).toEqual({ name: 'MemoryLimitError', message: 'exceeded the memory limit of 64 MB' });
    await stillWorks();
    expect(sandbox.isolatesCreated).toBe(created + 1);
  });

  it('fails deep recursion with a RangeError', async () => {
    const error = await failure('const f = (n) => f(n + 1) + 1; return f(0);');
    expect(error.name).toBe('RangeError');
    expect(error.message).toMatch(/call stack/i);
    await stillWorks();
  });

  it('refuses a result over maxResultBytes, naming its size', async () => {
    const error = await failure('return { text: "x".repeat(2000) };', { maxResultBytes: 1000 });
    expect(error).toEqual({ name: 'ResultTooLarge', message: 'result is 2011 bytes, over the limit of 1000 bytes (BATON_MAX_RESULT_BYTES)' });
    // counted in UTF-8 bytes, not characters: 600 × "é" is 1200 bytes
    expect((await failure('return "é".repeat(600);', { maxResultBytes: 1000 })).message).toContain('1202 bytes');
    expect((await failure('return ["é".repeat(600)];', { maxResultBytes: 1000 })).message).toContain('result is 1204 bytes');
    await stillWorks();
  });

  it('takes a per-run memory limit', async () => {
    const error = await failure('const hog = []; while (true) hog.push(new Array(100000).fill(1.5));', { memoryLimitMb: 16, timeoutMs: 30_000 });
    expect(error).toEqual({ name: 'MemoryLimitError', message: 'exceeded the memory limit of 16 MB' });
    await stillWorks();
  });
});

describe('the default sandbox and the cases the executor must survive', () => {
  const defaults = new Sandbox();
  afterAll(() => defaults.dispose());
  const runner = codeRunner(defaults);

  it('has a 128 MB memory limit', async () => {
    expect(defaults.memoryLimitMb).toBe(128);
    const error = await runner.failure('const hog = []; while (true) hog.push(new Array(1e5).fill(Math.random()));', { timeoutMs: 60_000 });
    expect(error).toEqual({ name: 'MemoryLimitError', message: 'exceeded the memory limit of 128 MB' });
    await runner.stillWorks();
  });

  it('refuses a 100 MB string result by its size without copying it out', async () => {
    const error = await runner.failure('return "x".repeat(100 * 1024 * 1024);', { maxResultBytes: 10 * 1024 * 1024 });
    expect(error).toEqual({
      name: 'ResultTooLarge',
      message: 'result is at least 104857602 bytes, over the limit of 10485760 bytes (BATON_MAX_RESULT_BYTES)',
    });
    await runner.stillWorks();
  });

  it('ends a block that makes 100 MB strings until memory runs out', async () => {
    const error = await runner.failure('const keep = []; for (let i = 0; i < 10; i++) keep.push(JSON.stringify("y".repeat(100 * 1024 * 1024)));', {
      timeoutMs: 60_000,
    });
    expect(error.name).toBe('MemoryLimitError');
    await runner.stillWorks();
  });

  it('serves blocks in turn after a CPU loop, a stuck promise, a memory bomb and a stack overflow', async () => {
    const outcomes = [];
    for (const code of [
      'while (true) {}',
      'await new Promise(() => {})',
      'const a = []; while (true) a.push(new Array(1e5).fill(0.5));',
      'const f = () => f(); f();',
    ]) {
      outcomes.push((await runner.failure(code, { timeoutMs: code.includes('push') ? 60_000 : 300 })).name);
      await runner.stillWorks();
    }
    expect(outcomes).toEqual(['TimeoutError', 'TimeoutError', 'MemoryLimitError', 'RangeError']);
  });
});

describe('Sandbox isolates', () => {
  it('replaces an isolate after maxUses runs', async () => {
    const small = new Sandbox({ memoryLimitMb: 16, maxUses: 3 });
    try {
      const runner = codeRunner(small);
      for (let i = 0; i < 7; i++) await runner.stillWorks();
      expect(small.isolatesCreated).toBe(3);
    } finally {
      small.dispose();
    }
  });

  it('runs overlapping blocks on separate isolates, so one never waits behind another', async () => {
    const pool = new Sandbox({ memoryLimitMb: 16 });
    try {
      const runner = codeRunner(pool);
      const [spin, quick] = await Promise.all([runner.run('while (true) {}', { timeoutMs: 1000 }), runner.value('return 7;')]);
      expect(spin).toMatchObject({ ok: false, error: { name: 'TimeoutError' } });
      expect(quick).toBe(7);
      expect(pool.isolatesCreated).toBe(2);
    } finally {
      pool.dispose();
    }
  });

  it('keeps an isolate warm for each of 12 overlapping runs, and disposes the extra ones once they go unused', async () => {
    const pool = new Sandbox({ memoryLimitMb: 16, idleTtlMs: 300 });
    try {
      const runner = codeRunner(pool);
      const wave = () => Promise.all(Array.from({ length: 12 }, (_, i) => runner.value(`return ${i};`)));
      expect(await wave()).toEqual(Array.from({ length: 12 }, (_, i) => i));
      const created = pool.isolatesCreated;
      expect(pool.idleIsolates).toBe(created);
      // The local Lambda endpoint's fan-outs: a second wave finds every isolate warm.
      await wave();
      expect(pool.isolatesCreated).toBe(created);
      await expect.poll(() => pool.idleIsolates, { timeout: 5_000, interval: 50 }).toBe(4);
      await runner.stillWorks();
    } finally {
      pool.dispose();
    }
  });

  it('is usable again after dispose, on a new isolate', async () => {
    const created = sandbox.isolatesCreated;
    sandbox.dispose();
    await stillWorks();
    expect(sandbox.isolatesCreated).toBe(created + 1);
  });
});

describe('Sandbox isolation', () => {
  it('has no process, require, timers or network in scope', async () => {
    const names = ['process', 'require', 'module', 'exports', 'Buffer', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'XMLHttpRequest', 'WebSocket'];
    expect(await value(`return ${JSON.stringify(names)}.map((name) => typeof globalThis[name]);`)).toEqual(names.map(() => 'undefined'));
    expect((await failure('return process.env;')).name).toBe('ReferenceError');
    await stillWorks();
  });

  it('gives each run a fresh context: globals set by one run are not seen by the next', async () => {
    expect(await value('globalThis.leaked = "secret"; Array.prototype.evil = 1; Object.prototype.polluted = 2; return typeof leaked;')).toBe('string');
    expect(await value('return [typeof globalThis.leaked, typeof [].evil, typeof ({}).polluted];')).toEqual(['undefined', 'undefined', 'undefined']);
  });

  it('scope from one run is not visible in the next', async () => {
    expect(await value('return typeof orders;', { orders: { data: 1 } })).toBe('object');
    expect(await value('return typeof orders;')).toBe('undefined');
  });

  it('gives the code a copy of the scope: the host object is untouched', async () => {
    const scope = { orders: { data: { rows: [1, 2] } } };
    expect(await value('orders.data.rows.push(3); orders.data.extra = true; return orders.data.rows.length;', scope)).toBe(3);
    expect(scope).toEqual({ orders: { data: { rows: [1, 2] } } });
  });

  it('cannot replace console', async () => {
    const result = await run('try { console = null; } catch {} try { console.log = null; } catch {} console.log("still here"); return 1;');
    expect(result.ok).toBe(true);
    expect(result.logs.map((l) => l.message)).toEqual(['still here']);
  });
});

describe('Sandbox secrets', () => {
  it('masks secret values in logs and error messages, not in results', async () => {
    const masked = new Sandbox({ memoryLimitMb: 16, secrets: new SecretMask(['hunter2-token']) });
    try {
      const runner = codeRunner(masked);
      const result = await runner.run('console.log("token", token, { token }); throw new Error("bad " + token);', { scope: { token: 'hunter2-token' } });
      expect(result).toMatchObject({ ok: false, error: { name: 'Error', message: 'bad ****' } });
      expect(result.logs.map((l) => l.message)).toEqual(['token **** {"token":"****"}']);
      expect(await runner.value('return token;', { token: 'hunter2-token' })).toBe('hunter2-token');
    } finally {
      masked.dispose();
    }
  });
});
