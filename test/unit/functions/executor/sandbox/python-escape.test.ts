/**
 * Attempts from Python to get out of the sandbox, to reach the host, to
 * leave something behind for the next run, or to outlive a run. Each must
 * be contained (a clear error, or a realm with nothing of the host in it),
 * and after each the sandbox serves the next run on a clean interpreter.
 *
 * The Python-level guards (refused imports) are a first wall only; the cases
 * that get past them into JavaScript check the wall that matters: the
 * isolate's realm has no host capabilities.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PythonSandbox } from '../../../../../functions/executor/sandbox/python/index.ts';
import { pythonRunner } from './python-helpers.ts';

const sandbox = new PythonSandbox({ poolSize: 2 });
const { run, value, failure, stillWorks } = pythonRunner(sandbox);
afterEach(stillWorks);
afterAll(() => sandbox.dispose());

/** Host things no sandboxed code may see (as in the JavaScript suite). */
const HOST_NAMES = ['process', 'require', 'module', 'Buffer', 'global', 'setImmediate', 'fetch', 'ivm', '_ivm', '__batonLog', '__batonRandom', '__batonEmit'];

/** A JS Function constructor from the realm, reached the way an escape would: through a JsProxy the runner holds. */
const REALM = 'import sys\nF = sys.modules["_baton_runner"]._emit.constructor.constructor\n';
const refused = (module: string) => ({ name: 'ModuleNotFoundError', message: `module '${module}' is not available in Baton's Python sandbox (line 1)` });

describe('the ways from Python into JavaScript are refused', () => {
  const imports: Array<[string, string, string]> = [
    ['import js', 'import js', 'js'],
    ['from js import globalThis', 'from js import globalThis', 'js'],
    ['import pyodide_js', 'import pyodide_js', 'pyodide_js'],
    ['pyodide.ffi', 'from pyodide.ffi import to_js', 'pyodide'],
    ['run_js from pyodide.code', 'from pyodide.code import run_js', 'pyodide'],
    ['import pyodide.code', 'import pyodide.code', 'pyodide'],
    ['the _pyodide internals', 'import _pyodide', '_pyodide'],
    ['micropip (fetching packages)', 'import micropip', 'micropip'],
    ['ctypes', 'import ctypes', 'ctypes'],
    ['subprocess', 'import subprocess', 'subprocess'],
  ];
  for (const [name, code, module] of imports) {
    it(`${name} is refused`, async () => {
      expect(await failure(code)).toEqual(refused(module));
    });
  }

  it('__import__ and importlib are refused the same way', async () => {
    expect(await failure('__import__("js")')).toEqual(refused('js'));
    expect(await failure('import importlib\nreturn importlib.import_module("pyodide_js")')).toMatchObject({ name: 'ModuleNotFoundError', message: expect.stringContaining("'pyodide_js' is not available") });
  });

  it('taking the guard off sys.meta_path still finds no js module (it is unregistered), so run_js cannot run', async () => {
    const unguard = 'import sys\nsys.meta_path[:] = [f for f in sys.meta_path if getattr(f, "__name__", "") != "_Guard"]\n';
    expect(await failure(`${unguard}import js`)).toEqual({ name: 'ModuleNotFoundError', message: "No module named 'js' (line 3)" });
    expect(await failure(`${unguard}from pyodide.code import run_js\nreturn run_js("typeof process")`)).toEqual({
      name: 'ModuleNotFoundError',
      message: "No module named 'js' (line 4)",
    });
  });

  it('putting a module back into sys.modules by hand gets nothing from JavaScript', async () => {
    const code = 'import sys, types\nsys.modules["js"] = types.ModuleType("js")\nimport js\nreturn [n for n in dir(js) if not n.startswith("__")]';
    expect(await value(code)).toEqual([]);
  });
});

describe('no process, filesystem, network or environment of the host', () => {
  it('os.system cannot run a command', async () => {
    expect(await value('import os\nreturn os.system("cat /etc/passwd")')).toBe(-1);
  });

  it("open('/etc/passwd') finds nothing: the filesystem is the interpreter's own, in memory", async () => {
    expect(await failure('return open("/etc/passwd").read()')).toEqual({ name: 'FileNotFoundError', message: "[Errno 44] No such file or directory: '/etc/passwd' (line 1)" });
    expect(await value('import os\nreturn sorted(os.listdir("/"))')).toEqual(['dev', 'home', 'lib', 'proc', 'tmp']);
  });

  it('os.environ holds none of the host environment', async () => {
    const env = (await value('import os\nreturn dict(os.environ)')) as Record<string, string>;
    // Only the few names Emscripten and Pyodide set themselves, with their own values.
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'LD_LIBRARY_PATH', 'LOGNAME', 'PATH', 'PWD', 'PYTHONINSPECT', 'USER', '_']);
    expect([env.USER, env.PATH, env.HOME]).toEqual(['web_user', '/', '/home/pyodide']);
  });

  it('a socket cannot connect, even to a port open on the host', async () => {
    expect(await failure('import socket\nsocket.create_connection(("127.0.0.1", 5432), timeout=1)')).toEqual({
      name: 'OSError',
      message: '[Errno 23] Host is unreachable (line 2)',
    });
  });

  it('urllib cannot fetch', async () => {
    expect(await failure('import urllib.request\nreturn urllib.request.urlopen("http://127.0.0.1:5432/").read()')).toMatchObject({
      name: 'URLError',
      message: expect.stringContaining('Host is unreachable'),
    });
  });

  it('threads cannot start', async () => {
    expect(await failure('import threading\nthreading.Thread(target=print).start()')).toEqual({ name: 'RuntimeError', message: "can't start new thread (line 2)" });
  });

  it('asyncio finds no event loop to run on (async is not supported)', async () => {
    expect(await failure('import asyncio\nasync def main():\n    return 1\nreturn asyncio.run(main())')).toMatchObject({ name: 'ModuleNotFoundError' });
  });
});

describe('nothing left behind for the next run', () => {
  it('sys.modules pollution does not reach the next run', async () => {
    expect(await value('import sys, types\nfake = types.ModuleType("json")\nfake.dumps = lambda *a, **k: "pwned"\nsys.modules["json"] = fake\nreturn 1')).toBe(1);
    expect(await value('import json\nreturn json.dumps({"a": 1})')).toBe('{"a": 1}');
  });

  it('builtins pollution fails only its own run, clearly, and does not reach the next', async () => {
    expect(await value('import builtins\nbuiltins.leaked = True\nbuiltins.len = lambda x: 0\nreturn [1, 2]')).toEqual([1, 2]);
    expect(await failure('import builtins\nbuiltins.str = None\nreturn 1')).toEqual({
      name: 'SandboxError',
      message: 'the Python run could not report its outcome (did the code replace a builtin?)',
    });
    expect(await value('return [len([1, 2]), str(3), "leaked" in dir(__builtins__)]')).toEqual([2, '3', false]);
  });

  it('files written in one run are gone in the next', async () => {
    expect(await value('open("/tmp/planted", "w").write("x")\nreturn 1')).toBe(1);
    expect(await value('import os\nreturn os.path.exists("/tmp/planted")')).toBe(false);
  });

  it('gc.get_objects finds no JavaScript object to reach the host through', async () => {
    const code =
      'import gc\nout = []\nfor o in gc.get_objects():\n    if type(o).__name__ == "JsProxy":\n        out.append(o.constructor.constructor("return typeof process")())\nreturn sorted(set(out))';
    expect((await value(code)) as string[]).not.toContain('object');
  });

  it('a forged outcome from the runner\'s own frames is refused, not stored', async () => {
    expect(await failure('import sys\nsys._getframe(1).f_globals["_encode"] = lambda v: "not json"\nreturn 1')).toEqual({
      name: 'ResultError',
      message: 'the Python run returned a result that is not JSON (was the runner tampered with?)',
    });
  });
});

describe('from the realm an escape lands in, the JavaScript attacks find nothing', () => {
  it('the realm global holds none of the host', async () => {
    const names = (await value(`${REALM}return F("return Object.getOwnPropertyNames(globalThis)")().to_py()`)) as string[];
    expect(names.filter((name) => HOST_NAMES.includes(name))).toEqual([]);
  });

  it("constructor.constructor('return process')() is a ReferenceError", async () => {
    expect(await failure(`${REALM}return F("return process")()`)).toEqual({ name: 'JsException', message: 'ReferenceError: process is not defined (line 3)' });
  });

  it('every constructor chain and eval reaches the same global, with nothing of the host on it', async () => {
    const js = [
      `const names = ${JSON.stringify(HOST_NAMES)};`,
      "const globals = [this, (0, eval)('this'), Function('return globalThis')(), [].constructor.constructor('return this')(),",
      "  Object.getPrototypeOf(function* () {}).constructor('return this')().next().value, Reflect.construct(Function, ['return this'])()];",
      'return [globals.every((g) => g === globalThis), names.filter((n) => globals.some((g) => typeof g[n] !== "undefined"))];',
    ].join(' ');
    expect(await value(`${REALM}return F(${JSON.stringify(js)})().to_py()`)).toEqual([true, []]);
  });

  it("the realm's read and readbuffer serve no host file", async () => {
    expect(await value(`${REALM}return F("try { return read('/etc/passwd') } catch (e) { return String(e) }")()`)).toBe('Error: no file /etc/passwd');
    expect(await value(`${REALM}return F("try { readbuffer('/proc/self/environ'); return 'read' } catch (e) { return String(e) }")()`)).toBe(
      'Error: no file /proc/self/environ',
    );
  });

  it('stacks seen from the realm name no host path', async () => {
    const stack = (await value(`${REALM}return F("return new Error().stack")()`)) as string;
    expect(stack).toContain('baton:pyodide.asm.js');
    expect(stack).not.toMatch(/file:|\/work\/|node_modules|\.ts:/);
  });

  it('calling the log callback directly floods nothing: the host keeps at most its cap', async () => {
    const result = await run(`${REALM}e = sys.modules["_baton_runner"]._emit\nfor i in range(5000):\n    e("log", "x")\nreturn 1`);
    expect(result.ok).toBe(true);
    expect(result.logs.length).toBe(1001);
  });
});

describe('runaway code is stopped', () => {
  it('plain recursion raises RecursionError', async () => {
    expect(await failure('def f(n):\n    return f(n + 1)\nreturn f(0)')).toEqual({ name: 'RecursionError', message: 'maximum recursion depth exceeded (line 2)' });
  });

  it('recursion past the interpreter stack (a deeply nested value) stops with a clear error', async () => {
    expect(await failure('l = []\nfor _ in range(200000):\n    l = [l]\nreturn l')).toEqual({
      name: 'RecursionError',
      message: "the code nested or recursed too deeply for the interpreter's stack, which stopped it",
    });
  });

  it('a memory bomb raises MemoryError (the wasm memory is capped)', async () => {
    expect(await failure('return len(bytearray(1500 * 2**20))')).toEqual({ name: 'MemoryError', message: 'line 1' });
    expect(await failure('x = []\nwhile True:\n    x.append("y" * 10**7)')).toMatchObject({ name: 'MemoryError' });
  });

  it('an infinite loop is ended at the timeout', async () => {
    expect(await failure('while True:\n    pass', { timeoutMs: 300 })).toEqual({ name: 'TimeoutError', message: 'timed out after 300 ms' });
  });

  it('an infinite loop that swallows every exception is ended too', async () => {
    expect(await failure('while True:\n    try:\n        pass\n    except BaseException:\n        continue\n    finally:\n        continue', { timeoutMs: 300 })).toEqual({
      name: 'TimeoutError',
      message: 'timed out after 300 ms',
    });
  });

  it('time.sleep past the timeout is ended at the timeout', async () => {
    expect(await failure('import time\ntime.sleep(100)', { timeoutMs: 300 })).toEqual({ name: 'TimeoutError', message: 'timed out after 300 ms' });
  });

  it('sys.exit fails the block; os._exit stops the interpreter, not the host', async () => {
    expect(await failure('import sys\nsys.exit(3)')).toEqual({ name: 'SystemExit', message: '3 (line 2)' });
    expect(await failure('import os\nos._exit(0)')).toEqual({ name: 'PythonFatalError', message: 'the Python interpreter stopped: Program terminated with exit(0)' });
  });

  it('a huge result is refused by size', async () => {
    expect(await failure('return "x" * 10**8')).toEqual({
      name: 'ResultTooLarge',
      message: 'result is at least 100000002 bytes, over the limit of 1048576 bytes (BATON_MAX_RESULT_BYTES)',
    });
  });

  it('a flood of prints keeps 1000 lines and says how many it dropped', async () => {
    const result = await run('for i in range(20000):\n    print(i)\nreturn 1');
    expect(result.ok).toBe(true);
    expect(result.logs).toHaveLength(1001);
    expect(result.logs[999]?.message).toBe('999');
    expect(result.logs[1000]).toMatchObject({ level: 'warn', message: '19000 more log lines dropped' });
  });

  it('one enormous print line is cut', async () => {
    const result = await run('print("x" * 10**7)\nreturn 1');
    expect(result.ok).toBe(true);
    expect(result.logs.every((line) => line.message.length <= 8193)).toBe(true);
  });
});
