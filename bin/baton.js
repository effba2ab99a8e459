#!/usr/bin/env node
// The `baton` command. isolated-vm needs Node's --no-node-snapshot, and the
// sources are TypeScript run through tsx, so this shim starts the real CLI in
// a child Node with both, passing signals and the exit code through.
import './check-node.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--no-node-snapshot',
    '--enable-source-maps',
    // grpc-js sets the TLS server name to an IP address for an address like 127.0.0.1:7233; Node's notice about it is noise.
    '--disable-warning=DEP0123',
    '--import',
    import.meta.resolve('tsx'),
    main,
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
    // The AWS SDK's Node version notice is noise for a CLI.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
  },
);
// Ctrl-C reaches the child through the terminal's process group; a signal sent
// to this process alone (SIGTERM from a supervisor) is passed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (signal !== 'SIGINT' || !process.stdin.isTTY) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal] ?? 1) : 1);
});
