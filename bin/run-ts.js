#!/usr/bin/env node
// Runs a TypeScript entry point (a benchmark, a script) with the same flags as `baton`.
import './check-node.js';
import { spawn } from 'node:child_process';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.js FILE.ts [args...]');
  process.exit(2);
}
// The child ends with this process (local/parent-watch.ts), so a SIGKILL here leaves no orphan behind.
const parentWatch = import.meta.resolve('../local/parent-watch-register.ts');
const child = spawn(process.execPath, ['--no-node-snapshot', '--enable-source-maps', '--import', import.meta.resolve('tsx'), '--import', parentWatch, entry, ...args], {
  stdio: 'inherit',
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
