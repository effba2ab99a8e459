/**
 * The last line of defence of a long-lived process (`baton dev`, the worker,
 * the local Lambda endpoint): an error no request or task handler caught
 * must not take every part down with it. It is logged by class, code and
 * stack frames (never its message, which may carry user data) and the
 * process keeps serving; each request already has its own error handling,
 * so what arrives here is a bug to fix, not a state to recover.
 *
 * Two things end the process instead, since serving on would only spin:
 * - its output is gone (EPIPE on stdout or stderr): whoever read its logs,
 *   its parent, is gone too, and every line it logs fails again;
 * - a storm of errors (more than STORM_ERRORS in STORM_WINDOW_MS): a loop
 *   that fails on every turn, which logging would only feed.
 */
import { describeForLog } from '../errors/index.ts';

export type LogLine = (line: string) => void;

const STORM_ERRORS = 100;
const STORM_WINDOW_MS = 1_000;
/** The exit code of a process that stopped because its output went away (as a shell's 128 + SIGPIPE). */
export const EXIT_OUTPUT_GONE = 141;

/**
 * An EPIPE that reaches here is this process's own output going away: a
 * socket's EPIPE belongs to its request and is handled there (the HTTP
 * server's, gRPC's).
 */
function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** Installs the listener for uncaught exceptions and unhandled rejections; returns a function that removes it. */
export function installLastResort(processName: string, log: LogLine = (line) => process.stderr.write(`${line}\n`)): () => void {
  let windowStart = 0;
  let inWindow = 0;
  const handle = (error: unknown, what: 'uncaught exception' | 'unhandled rejection') => {
    if (isBrokenPipe(error)) process.exit(EXIT_OUTPUT_GONE);
    const now = Date.now();
    if (now - windowStart > STORM_WINDOW_MS) [windowStart, inWindow] = [now, 0];
    if (++inWindow > STORM_ERRORS) {
      try {
        process.stderr.write(`${processName}: more than ${STORM_ERRORS} uncaught errors within ${STORM_WINDOW_MS} ms: exiting\n`);
      } finally {
        process.exit(1);
      }
    }
    try {
      log(`${processName}: ${what}, still serving: ${describeForLog(error)}`);
    } catch (logError) {
      // The log itself failed (its stream is gone): nothing can be reported, and nothing served is seen.
      process.exit(isBrokenPipe(logError) ? EXIT_OUTPUT_GONE : 1);
    }
  };
  const onException = (error: unknown) => handle(error, 'uncaught exception');
  const onRejection = (reason: unknown) => handle(reason, 'unhandled rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
