/** Running Python code-block bodies in a PythonSandbox, as the code-executor does. */
import { expect } from 'vitest';
import type { PythonSandbox, RunPythonRequest } from '../../../../../functions/executor/sandbox/python/index.ts';
import type { RunCodeResult, SandboxFailure } from '../../../../../functions/executor/sandbox/index.ts';

export type PythonRunOptions = Partial<Omit<RunPythonRequest, 'code'>>;

export function pythonRunner(sandbox: PythonSandbox) {
  const run = (code: string, options: PythonRunOptions = {}): Promise<RunCodeResult> =>
    sandbox.run({ code, scope: {}, timeoutMs: 30_000, maxResultBytes: 1024 * 1024, ...options });

  const value = async (code: string, scope: Record<string, unknown> = {}): Promise<unknown> => {
    const result = await run(code, { scope });
    if (!result.ok) throw new Error(`python failed: ${result.error.name}: ${result.error.message}`);
    return result.json === undefined ? undefined : JSON.parse(result.json);
  };

  const failure = async (code: string, options: PythonRunOptions = {}): Promise<SandboxFailure> => {
    const result = await run(code, options);
    if (result.ok) throw new Error(`expected a failure, got ${String(result.json)}`);
    return result.error;
  };

  /** After anything, the sandbox serves the next run on a clean interpreter. */
  const stillWorks = async (): Promise<void> => {
    expect(await value('return {"sum": n + 1, "clean": "leaked" not in globals() and not hasattr(__builtins__, "leaked")}', { n: 41 })).toEqual({
      sum: 42,
      clean: true,
    });
  };

  return { run, value, failure, stillWorks };
}
