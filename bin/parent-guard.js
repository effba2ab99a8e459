#!/usr/bin/env node
// `parent-guard.js PROGRAM ARGS...`: runs PROGRAM and kills it when this
// process's parent is gone (its pid changes: re-parented after a SIGKILL).
// local/tied-spawn.ts uses it where setpriv --pdeathsig is not available
// (macOS), so a native child such as the Temporal dev server dies with Baton.
import { spawn } from 'node:child_process';

const [program, ...args] = process.argv.slice(2);
if (!program) {
  process.stderr.write('usage: parent-guard.js PROGRAM [ARGS...]\n');
  process.exit(2);
}
const parent = process.ppid;
const child = spawn(program, args, { stdio: 'inherit' });
setInterval(() => {
  if (process.ppid === parent) return;
  child.kill('SIGKILL');
  process.exit(1);
}, 500).unref();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`parent-guard: ${program}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
