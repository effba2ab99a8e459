#!/usr/bin/env node
// Runs a TypeScript entry point (a benchmark, a script) with the same flags as `baton`.
import './check-node.js';
import { spawn } from 'node:child_process';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.js FILE.ts [args...]');
  process.exit(2);
}
const child = spawn(process.execPath, ['--no-node-snapshot', '--enable-source-maps', '--import', import.meta.resolve('tsx'), entry, ...args], {
  stdio: 'inherit',
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
