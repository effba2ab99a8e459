/**
 * The benchmark's baseline only: the same request and result shapes as
 * shared/sandbox, run with node:vm (a fresh context per run, scope as
 * globals, the result as JSON). node:vm is not a security boundary, so it
 * must never run user code in Baton itself (docs/design.md, Decisions); here it shows what
 * the isolation costs.
 */
import vm from 'node:vm';
import type { LogLine, RunCodeRequest, RunCodeResult } from '../functions/executor/sandbox/index.ts';

export class NodeVmSandbox {
  async run(request: RunCodeRequest): Promise<RunCodeResult> {
    const logs: LogLine[] = [];
    const write = (level: LogLine['level']) => (...args: unknown[]) => {
      logs.push({ level, message: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '), at: Date.now() });
    };
    const console = { log: write('log'), info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };
    // JSON in, as the isolate gets it: no shared objects with the host.
    const globals = { ...(JSON.parse(JSON.stringify(request.scope)) as Record<string, unknown>), console };
    const context = vm.createContext(globals);
    try {
      const block = vm.runInContext(request.functionSource, context, { timeout: request.timeoutMs }) as () => Promise<unknown>;
      const value = await block();
      const json = value === undefined ? undefined : JSON.stringify(value);
      if (json !== undefined && Buffer.byteLength(json) > request.maxResultBytes) {
        return { ok: false, error: { name: 'ResultTooLarge', message: 'too large' }, logs };
      }
      return { ok: true, json, logs };
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown };
      return { ok: false, error: { name: String(e.name), message: String(e.message) }, logs };
    }
  }

  dispose(): void {}
}
