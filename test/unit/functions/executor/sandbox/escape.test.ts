/**
 * Attempts to get out of the sandbox, to reach the host, or to outlive a
 * run. Each must be contained (the code sees only its own realm, or fails
 * with a clear error), and the sandbox must serve the next block normally.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../../../../functions/executor/sandbox/index.ts';
import { codeRunner } from './helpers.ts';

const sandbox = new Sandbox({ memoryLimitMb: 32 });
const { run, value, failure, stillWorks } = codeRunner(sandbox);
afterAll(async () => {
  // The same sandbox, after every attempt, still serves blocks.
  await stillWorks();
  sandbox.dispose();
});

/** Host things no sandboxed code may see, whatever path it takes to a global object. */
const HOST_NAMES = ['process', 'require', 'module', 'Buffer', 'global', 'setTimeout', 'setImmediate', 'fetch', 'ivm', '_ivm'];
const probe = (globalExpression: string) =>
  `const g = ${globalExpression}; return ${JSON.stringify(HOST_NAMES)}.filter((name) => g && typeof g[name] !== 'undefined');`;

describe('constructor chains and Function from prototypes', () => {
  const chains: Array<[string, string]> = [
    ['this.constructor.constructor', `(function () { return this; }).constructor.constructor('return this')()`],
    ['Function', `Function('return this')()`],
    ['an async function constructor', `await Object.getPrototypeOf(async function () {}).constructor('return this')()`],
    ['a generator function constructor', `Object.getPrototypeOf(function* () {}).constructor('return this')().next().value`],
    ['an async generator function constructor', `(await Object.getPrototypeOf(async function* () {}).constructor('return this')().next()).value`],
    ['console.log.constructor', `console.log.constructor('return this')()`],
    ['an array constructor chain', `[].constructor.constructor('return globalThis')()`],
    ['a scope value constructor chain', `trigger.constructor.constructor('return this')()`],
    ['indirect eval', `(0, eval)('this')`],
    ['Reflect.construct on Function', `Reflect.construct(Function, ['return this'])()`],
    ['Function.prototype.call.call', `Function.prototype.call.call(Function('return this'))`],
  ];
  for (const [name, expression] of chains) {
    it(`${name} reaches only the sandbox's own global`, async () => {
      expect(await value(probe(expression), { trigger: { data: {} } })).toEqual([]);
    });
  }

  it('a Function built from a prototype cannot name process', async () => {
    expect(await failure(`return Object.getPrototypeOf(() => {}).constructor('return process')();`)).toMatchObject({ name: 'ReferenceError' });
  });

  it('the global holds the language built-ins, the block scope and console, nothing of the host', async () => {
    const names = (await value('return Object.getOwnPropertyNames(globalThis);', { orders: {} })) as string[];
    const builtins = (await value('return Object.getOwnPropertyNames(globalThis);')) as string[];
    expect(names.filter((n) => !builtins.includes(n))).toEqual(['orders']);
    expect(builtins).toContain('console');
    expect(builtins.filter((n) => /^__baton|^ivm|^_ivm/.test(n) || HOST_NAMES.includes(n))).toEqual([]);
  });

  it('import() of a Node module fails', async () => {
    expect(await failure(`return await import('node:fs');`)).toEqual({ name: 'Error', message: 'Not supported' });
  });

  it('caller chains stop at the block: the runner that called it stays hidden', async () => {
    const seen = await value(`function f() { return f.caller; } const block = f(); let above; try { above = block.caller; } catch (error) { above = error.name; } return [block.name, above];`);
    expect(seen).toEqual(['__batonBlock', 'TypeError']);
    expect(await value(`'use strict'; try { return typeof arguments.callee; } catch (error) { return error.name; }`)).toBe('TypeError');
  });
});

describe('stack traces', () => {
  it("Error.prepareStackTrace sees only sandbox frames, and the sandbox's own frames hide their function", async () => {
    const frames = (await value(`
      Error.prepareStackTrace = (_, frames) => frames.map((f) => {
        const self = f.getThis();
        const fn = f.getFunction();
        return [String(f.getFileName()), typeof (self && self.process), typeof self, typeof fn];
      });
      return new Error('x').stack;
    `)) as Array<[string, string, string, string]>;
    expect(frames.length).toBeGreaterThan(0);
    for (const [file, processOnThis, self, fn] of frames) {
      expect(file).toMatch(/^baton:(block|prelude)$/);
      expect(processOnThis).toBe('undefined');
      if (file === 'baton:prelude') expect([self, fn]).toEqual(['undefined', 'undefined']);
    }
  });

  it('a throwing prepareStackTrace does not break the block error the host reads', async () => {
    expect(await failure(`Error.prepareStackTrace = () => { throw new Error('trap'); }; throw new TypeError('real');`)).toEqual({
      name: 'TypeError',
      message: 'real',
    });
  });

  it('Error.captureStackTrace on a plain object stays in the sandbox', async () => {
    expect(await value(`const o = {}; Error.captureStackTrace(o); return typeof o.stack;`)).toBe('string');
  });
});

describe('thrown values that fight back', () => {
  it('a Proxy thrown as the error', async () => {
    expect(
      await failure(`throw new Proxy({}, { get(_, key) { if (key === 'name') return 'Sneaky'; if (key === 'message') return 'via proxy'; return undefined; } });`),
    ).toEqual({ name: 'Sneaky', message: 'via proxy' });
  });

  it('an error whose message getter throws', async () => {
    expect(await failure(`throw { get name() { throw new Error('no'); } };`)).toEqual({ name: 'Error', message: 'the thrown value could not be read' });
  });

  it('an error whose message getter loops forever', async () => {
    expect(await failure(`throw { get message() { while (true) {} } };`, { timeoutMs: 300 })).toEqual({ name: 'TimeoutError', message: 'timed out after 300 ms' });
  });

  it('an error with Symbol.toPrimitive traps', async () => {
    expect(await failure(`throw { [Symbol.toPrimitive]() { throw new Error('trap'); } };`)).toEqual({ name: 'Error', message: '(a value that cannot be shown)' });
  });

  it('a thrown Symbol', async () => {
    expect(await failure(`throw Symbol('s');`)).toEqual({ name: 'Error', message: 'Symbol(s)' });
  });

  it('a huge error message is cut', async () => {
    const error = await failure(`throw new Error('m'.repeat(1e6));`);
    expect(error.message).toHaveLength(4097);
  });
});

describe('results that fight back', () => {
  it('a getter on the result that reaches for process', async () => {
    expect(await failure(`return { get x() { return process.env; } };`)).toMatchObject({ name: 'ResultError', message: expect.stringContaining('process is not defined') });
  });

  it('a getter on the result that loops forever', async () => {
    expect(await failure(`return { get x() { while (true) {} } };`, { timeoutMs: 300 })).toEqual({ name: 'TimeoutError', message: 'timed out after 300 ms' });
  });

  it('a Proxy result whose traps throw', async () => {
    expect((await failure(`return new Proxy({}, { ownKeys() { throw new Error('trap'); } });`)).name).toBe('ResultError');
  });

  it('a Proxy result is read as plain JSON', async () => {
    expect(await value(`return new Proxy({}, { ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }), get: () => 1 });`)).toEqual({ a: 1 });
  });

  it('toJSON that returns a huge value', async () => {
    expect((await failure(`return { toJSON() { return 'z'.repeat(5 * 1024 * 1024); } };`)).name).toBe('ResultTooLarge');
  });

  it('a replaced JSON.stringify cannot change what the host reads', async () => {
    const result = await run(`JSON.stringify = () => ({ not: 'a string' }); return { a: 1 };`);
    expect(result).toMatchObject({ ok: true, json: '{"a":1}' });
  });

  it('replaced String and Array prototypes do not break console or results', async () => {
    const result = await run(`String.prototype.slice = () => 'forged'; Array.prototype.join = () => 'forged'; console.log('kept', 'whole'); return 'ok';`);
    expect(result).toMatchObject({ ok: true, json: '"ok"' });
    expect(result.logs.map((l) => l.message)).toEqual(['kept whole']);
  });

  it('a replaced Promise.prototype.then changes nothing the host reads', async () => {
    expect(await run(`Promise.prototype.then = function () { return 'forged'; }; return await Promise.resolve(5);`)).toMatchObject({ ok: true, json: '5' });
    await stillWorks();
  });

  it('a cyclic result', async () => {
    expect(await failure(`const a = [1]; a.push(a); return a;`)).toMatchObject({ name: 'ResultError', message: expect.stringMatching(/circular/i) });
  });

  it('a result nested too deep to serialise', async () => {
    expect(await failure(`let v = []; for (let i = 0; i < 1e5; i++) v = [v]; return v;`)).toMatchObject({ name: 'ResultError', message: expect.stringMatching(/call stack/i) });
  });

  it('symbols and functions in a result are dropped, as JSON drops them', async () => {
    expect(await value(`return { [Symbol('s')]: 1, f() {}, kept: 1 };`)).toEqual({ kept: 1 });
  });

  it('prototype pollution of what the host reads back', async () => {
    const data = (await value(`return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');`)) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'constructor']);
  });
});

describe('shared memory, WebAssembly and work that would outlive the run', () => {
  it('SharedArrayBuffer, Atomics and WebAssembly are absent', async () => {
    expect(await value(`return [typeof SharedArrayBuffer, typeof Atomics, typeof WebAssembly];`)).toEqual(['undefined', 'undefined', 'undefined']);
  });

  it('Atomics.wait cannot block the isolate', async () => {
    expect(await failure(`Atomics.wait(new Int32Array(4), 0, 0);`)).toMatchObject({ name: 'ReferenceError' });
  });

  it('WebAssembly memory outside the heap limit cannot be allocated', async () => {
    expect(await failure(`return new WebAssembly.Memory({ initial: 16384 }).buffer.byteLength;`)).toMatchObject({ name: 'ReferenceError' });
  });

  it('a huge ArrayBuffer counts against the memory limit', async () => {
    expect(await failure(`return new ArrayBuffer(2 ** 30).byteLength;`)).toMatchObject({ name: 'RangeError' });
    await stillWorks();
  });

  it('FinalizationRegistry, whose callbacks would run during a later block, is absent', async () => {
    expect(await value(`return typeof FinalizationRegistry;`)).toBe('undefined');
    await stillWorks();
  });

  it('a microtask loop left behind after returning is ended with the run', async () => {
    expect(await failure(`Promise.resolve().then(() => { while (true) {} }); return 1;`, { timeoutMs: 300 })).toEqual({
      name: 'TimeoutError',
      message: 'timed out after 300 ms',
    });
    await stillWorks();
  });

  it('a promise chain that never ends is ended with the run', async () => {
    // The spin allocates as it goes: on a loaded machine the memory limit may end it before the clock does; either ends the run.
    expect(['TimeoutError', 'MemoryLimitError']).toContain(
      (await failure(`const spin = () => Promise.resolve().then(spin); spin(); return 1;`, { timeoutMs: 300 })).name,
    );
    await stillWorks();
  });
});

describe('globals and console', () => {
  it('a getter planted on Object.prototype stays in its own run', async () => {
    expect(await value(`Object.defineProperty(Object.prototype, 'data', { get() { return 'poison'; } }); return ({}).data;`)).toBe('poison');
    expect(await value(`return [({}).data, orders.data];`, { orders: { data: 'real' } })).toEqual([null, 'real']);
  });

  it('Symbol.for gives no channel between runs', async () => {
    expect(await value(`const s = Symbol.for('baton-channel'); Object.prototype[s] = 'left behind'; return typeof ({})[s];`)).toBe('string');
    expect(await value(`return typeof ({})[Symbol.for('baton-channel')];`)).toBe('undefined');
  });

  it('a console flood is capped and the block still ends', async () => {
    const result = await run(`for (let i = 0; i < 200000; i++) console.log(i); return 'done';`);
    expect(result).toMatchObject({ ok: true, json: '"done"' });
    expect(result.logs).toHaveLength(1001);
  });

  it('console.log of an object whose toJSON loops is ended by the timeout', async () => {
    expect((await failure(`console.log({ toJSON() { while (true) {} } });`, { timeoutMs: 300 })).name).toBe('TimeoutError');
  });

  it('the console functions expose nothing of the host', async () => {
    expect(await value(`let caller; try { caller = typeof console.log.caller; } catch (error) { caller = error.name; } return [Object.isFrozen(console), Object.keys(console), caller];`)).toEqual([
      true,
      ['log', 'info', 'warn', 'error', 'debug'],
      'TypeError',
    ]);
    expect(await value(probe(`console.log.constructor('return this')()`))).toEqual([]);
  });
});
