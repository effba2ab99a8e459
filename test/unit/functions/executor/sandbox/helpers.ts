/** Running code-block bodies in a Sandbox, as the code-executor does. */
import { expect } from 'vitest';
import { transpileBlock } from '../../../../../shared/definition/syntax.ts';
import type { RunCodeRequest, RunCodeResult, Sandbox, SandboxFailure } from '../../../../../functions/executor/sandbox/index.ts';

export type RunOptions = Partial<Omit<RunCodeRequest, 'functionSource'>>;

export function codeRunner(sandbox: Sandbox) {
  const run = (code: string, options: RunOptions = {}): Promise<RunCodeResult> =>
    sandbox.run({
      functionSource: transpileBlock({ code, language: 'javascript' }),
      scope: {},
      // Generous, so a loaded machine never turns a slow test into a timeout; timeout tests pass their own.
      timeoutMs: 30_000,
      maxResultBytes: 1024 * 1024,
      ...options,
    });

  /** The block's data; fails the test when the block failed. */
  const value = async (code: string, scope: Record<string, unknown> = {}): Promise<unknown> => {
    const result = await run(code, { scope });
    if (!result.ok) throw new Error(`sandbox failed: ${result.error.name}: ${result.error.message}`);
    return result.json === undefined ? undefined : JSON.parse(result.json);
  };

  /** The block's error; fails the test when the block succeeded. */
  const failure = async (code: string, options: RunOptions = {}): Promise<SandboxFailure> => {
    const result = await run(code, options);
    if (result.ok) throw new Error(`expected a failure, got ${String(result.json)}`);
    return result.error;
  };

  /** After any failure, the same Sandbox still runs normal code with a fresh scope. */
  const stillWorks = async (): Promise<void> => {
    expect(await value('return { sum: n + 1, clean: typeof leaked };', { n: 41 })).toEqual({ sum: 42, clean: 'undefined' });
  };

  return { run, value, failure, stillWorks };
}
