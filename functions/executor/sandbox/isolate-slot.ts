/**
 * One isolate and what is worth keeping with it between runs: the compiled
 * prelude, compiled run scripts by source, and the next run's context, made
 * on isolated-vm's own thread while the host is idle. A context is
 * used for one run only; the slot counts runs so the pool can retire it.
 */
import ivm from 'isolated-vm';
import { PRELUDE_SOURCE } from './prelude.ts';

const SCRIPT_CACHE_SIZE = 256;
const PREPARE_DELAY_MS = 2;

/** V8's code cache for the prelude, made by the first isolate: a new isolate compiles it in a quarter of the time. */
let preludeCodeCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

/** What isolated-vm writes onto a script compiled with code-cache options. */
interface CompileResults {
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  cachedDataRejected?: boolean;
}

function compilePrelude(isolate: ivm.Isolate): ivm.Script {
  const options = { filename: 'baton:prelude' };
  if (preludeCodeCache) {
    const script = isolate.compileScriptSync(PRELUDE_SOURCE, { ...options, cachedData: preludeCodeCache });
    if (!(script as CompileResults).cachedDataRejected) return script;
  }
  const script = isolate.compileScriptSync(PRELUDE_SOURCE, { ...options, produceCachedData: true });
  preludeCodeCache = (script as CompileResults).cachedData;
  return script;
}

export class IsolateSlot {
  readonly isolate: ivm.Isolate;
  readonly prelude: ivm.Script;
  uses = 0;
  /** When the slot last went back to the pool (Date.now()). */
  idleSince = 0;
  private readonly scripts = new Map<string, ivm.Script>();
  private next: Promise<ivm.Context> | undefined;
  private prepareTimer: NodeJS.Timeout | undefined;

  constructor(readonly memoryLimitMb: number) {
    this.isolate = new ivm.Isolate({
      memoryLimit: memoryLimitMb,
      onCatastrophicError: (message) => {
        // isolated-vm: V8 has lost control of the isolate and nothing in this process can be trusted.
        process.stderr.write(`baton: isolated-vm catastrophic error, aborting: ${message}\n`);
        process.abort();
      },
    });
    this.prelude = compilePrelude(this.isolate);
  }

  get alive(): boolean {
    return !this.isolate.isDisposed;
  }

  /** A context nothing has run in yet: the one made ahead, else one made now (on this thread, saving a hop). */
  takeContext(): Promise<ivm.Context> | ivm.Context {
    clearTimeout(this.prepareTimer);
    this.prepareTimer = undefined;
    const next = this.next;
    this.next = undefined;
    return next ?? this.isolate.createContextSync();
  }

  /**
   * Makes the next run's context ahead, once the host has been idle for a
   * moment: blocks arrive milliseconds apart (a Temporal round trip), so it
   * is usually ready, and back-to-back runs do not have it compete for the
   * CPU with the rest of their invocation.
   */
  prepare(): void {
    if (this.next || this.prepareTimer || !this.alive) return;
    this.prepareTimer = setTimeout(() => {
      this.prepareTimer = undefined;
      if (this.next || !this.alive) return;
      const next = this.isolate.createContext();
      // A slot disposed before its next run rejects this; nobody waits for it then.
      next.catch(() => {});
      this.next = next;
    }, PREPARE_DELAY_MS);
    this.prepareTimer.unref();
  }

  /** The compiled script for a source; throws the source's SyntaxError. */
  script(source: string): ivm.Script {
    let script = this.scripts.get(source);
    if (script) {
      // Most recently used last, so the oldest is evicted first.
      this.scripts.delete(source);
    } else {
      script = this.isolate.compileScriptSync(source, { filename: 'baton:block' });
      if (this.scripts.size >= SCRIPT_CACHE_SIZE) {
        const [oldest, old] = this.scripts.entries().next().value ?? [];
        if (oldest !== undefined) this.scripts.delete(oldest);
        old?.release();
      }
    }
    this.scripts.set(source, script);
    return script;
  }

  dispose(): void {
    clearTimeout(this.prepareTimer);
    this.scripts.clear();
    this.next = undefined;
    if (this.alive) this.isolate.dispose();
  }
}
