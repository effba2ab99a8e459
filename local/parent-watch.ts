/**
 * A parent-death watch: a child process of the stack notices that the process
 * that started it is gone (killed with SIGKILL, say, so it could not stop its
 * children) because its parent pid changes (it is re-parented to init or a
 * subreaper), and ends itself. Node has no prctl(PR_SET_PDEATHSIG); a
 * half-second poll of process.ppid is the portable equivalent.
 */
const POLL_MS = 500;

export interface ParentWatch {
  stop(): void;
}

/** Calls `onGone` once when this process's parent changes; the watch never keeps the process alive. */
export function watchParent(onGone: (parentPid: number) => void, pollMs = POLL_MS): ParentWatch {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, pollMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** How long an orphan may take over its own SIGTERM cleanup before it exits regardless. */
export const ORPHAN_EXIT_DEADLINE_MS = 8_000;

/**
 * The watch for a process that stops cleanly on SIGTERM (the worker, the
 * Lambda endpoint): an orphan sends itself SIGTERM, and exits after a deadline
 * if its own handler has not ended it by then.
 */
export function terminateWithParent(): ParentWatch {
  return watchParent((parent) => {
    process.stderr.write(`parent process ${parent} is gone: stopping (pid ${process.pid})\n`);
    setTimeout(() => process.exit(1), ORPHAN_EXIT_DEADLINE_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
