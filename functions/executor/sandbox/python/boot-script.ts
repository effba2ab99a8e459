/**
 * The script that boots Pyodide in an isolate, after the realm prelude and
 * Pyodide's own two scripts: `loadPyodide` runs unchanged, with the files the
 * prelude serves. To make a snapshot it boots cold, imports the runner and
 * leaves the memory snapshot for the host to copy out; otherwise it boots
 * from the snapshot the host copied in, readies the interpreter for its one
 * run and leaves one function, `__batonRunPython(requestJson)`.
 */
import { CREATE_MODULE_GLOBAL, LOAD_PYODIDE_GLOBAL } from './assets.ts';
import { INDEX_URL } from './realm-prelude.ts';
import { RUNNER_MODULE, RUNNER_PY } from './runner-py.ts';

export const BOOT_GLOBAL = '__batonBoot';
export const SNAPSHOT_GLOBAL = '__batonSnapshot';
export const RUN_GLOBAL = '__batonRunPython';
export const EMIT_INPUT = '__batonEmit';

/** Modules imported before the snapshot, so a run does not pay for them. */
const PRELOADED = ['json', 'ast', 'logging', 're', 'datetime', 'math', 'collections', 'itertools', 'functools', 'decimal', 'statistics', 'traceback'];

export const BOOT_SOURCE = `'use strict';
(() => {
  const g = globalThis;
  const loadPyodide = g.${LOAD_PYODIDE_GLOBAL};
  const createPyodideModule = g.${CREATE_MODULE_GLOBAL};
  delete g.${LOAD_PYODIDE_GLOBAL};
  delete g.${CREATE_MODULE_GLOBAL};
  const define = (name, value) => Object.defineProperty(g, name, { value, writable: false, enumerable: false, configurable: true });

  define('${BOOT_GLOBAL}', async (snapshot) => {
    delete g.${BOOT_GLOBAL};
    const emit = g.${EMIT_INPUT};
    delete g.${EMIT_INPUT};
    const making = snapshot === undefined;
    const pyodide = await loadPyodide({
      indexURL: '${INDEX_URL}',
      createPyodideModule,
      env: { HOME: '/home/pyodide' },
      stdout: () => {},
      stderr: () => {},
      ...(making ? { _makeSnapshot: true } : { _loadSnapshot: snapshot }),
    });
    if (making) {
      pyodide.runPython(${JSON.stringify(`import sys, types\n${PRELOADED.map((m) => `import ${m}`).join('\n')}\n`)});
      const module = pyodide.runPython("import sys, types\\nsys.modules['${RUNNER_MODULE}'] = types.ModuleType('${RUNNER_MODULE}')\\nsys.modules['${RUNNER_MODULE}']");
      pyodide.runPython(${JSON.stringify(RUNNER_PY)}, { globals: module.__dict__ });
      module.destroy();
      define('${SNAPSHOT_GLOBAL}', pyodide.makeMemorySnapshot());
      return;
    }
    const runner = pyodide.pyimport('${RUNNER_MODULE}');
    const run = runner.run;
    runner.install(emit);
    pyodide.unregisterJsModule('js');
    pyodide.unregisterJsModule('pyodide_js');
    define('${RUN_GLOBAL}', (request) => {
      delete g.${RUN_GLOBAL};
      return run(request);
    });
  });
})();
`;
