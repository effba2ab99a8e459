/**
 * The last line of defence of a long-lived process (`baton dev`, the worker,
 * the local Lambda endpoint): an error no request or task handler caught
 * must not take every part down with it. It is logged by class, code and
 * stack frames (never its message, which may carry user data) and the
 * process keeps serving; each request already has its own error handling,
 * so what arrives here is a bug to fix, not a state to recover.
 */
import { describeForLog } from '../errors/index.ts';

export type LogLine = (line: string) => void;

export function lastResortListener(processName: string, log: LogLine) {
  return (error: unknown, origin: string) => {
    log(`${processName}: ${origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}, still serving: ${describeForLog(error)}`);
  };
}

/** Installs the listener for uncaught exceptions and unhandled rejections; returns a function that removes it. */
export function installLastResort(processName: string, log: LogLine = (line) => process.stderr.write(`${line}\n`)): () => void {
  const listener = lastResortListener(processName, log);
  const onRejection = (reason: unknown) => listener(reason, 'unhandledRejection');
  process.on('uncaughtException', listener);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', listener);
    process.off('unhandledRejection', onRejection);
  };
}
