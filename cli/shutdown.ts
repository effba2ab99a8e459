/**
 * How every `baton` command ends on SIGINT, SIGTERM or SIGHUP: the cleanups
 * the command registered (stop the API, the worker, the dev server) run, and
 * the process exits within STOP_DEADLINE_MS whatever they do. A second signal
 * exits at once. Children that outlive a forced exit are ended by their own
 * parent-death watch (local/parent-watch.ts).
 */
const STOP_DEADLINE_MS = 8_000;
/** A signal sent to the whole process group reaches this process twice (directly, and passed on by bin/baton.js): one press, not two. */
const SAME_SIGNAL_MS = 1_000;
const EXIT_CODES: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

type Cleanup = () => Promise<void>;
const cleanups = new Set<Cleanup>();
let stopping: NodeJS.Signals | undefined;
let stoppingAt = 0;
let requested: (signal: NodeJS.Signals) => void = () => {};
const stopRequestedPromise = new Promise<NodeJS.Signals>((resolve) => (requested = resolve));

/** Runs `cleanup` when a signal ends the command; returns the function that unregisters it. */
export function onShutdown(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Resolves with the signal once one arrived (`baton dev` waits on it). */
export function stopRequested(): Promise<NodeJS.Signals> {
  return stopRequestedPromise;
}

export function stopRequestedYet(): boolean {
  return stopping !== undefined;
}

export function installShutdownHandlers(log: (line: string) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      const code = EXIT_CODES[signal] ?? 1;
      if (stopping) {
        if (Date.now() - stoppingAt < SAME_SIGNAL_MS) return;
        log(`${signal} again: exiting now`);
        process.exit(code);
      }
      stopping = signal;
      stoppingAt = Date.now();
      log(`${signal}: stopping`);
      requested(signal);
      setTimeout(() => {
        log(`not stopped after ${STOP_DEADLINE_MS} ms: exiting`);
        process.exit(code);
      }, STOP_DEADLINE_MS).unref();
      void Promise.allSettled([...cleanups].reverse().map((cleanup) => cleanup())).then(() => process.exit(code));
    });
  }
}
