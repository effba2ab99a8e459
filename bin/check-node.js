// Imported first by bin/*.js: on a Node older than package.json's `engines`,
// one line says so and the command exits 1, before anything that would fail
// with a stack trace (isolated-vm's binary, tsx) is loaded.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = engines?.node ?? '';
const minimum = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(wanted.trim());
const have = process.versions.node.split('.').map(Number);

function older(version, min) {
  for (let i = 0; i < 3; i++) {
    if ((version[i] ?? 0) !== (min[i] ?? 0)) return (version[i] ?? 0) < (min[i] ?? 0);
  }
  return false;
}

if (minimum && older(have, minimum.slice(1).map((part) => Number(part ?? 0)))) {
  process.stderr.write(
    `baton: needs Node ${wanted} (package.json engines), but this is Node ${process.versions.node} (${process.execPath}); ` +
      'put Node 24 first on PATH, e.g. export PATH="$(bash scripts/install-node.sh):$PATH"\n',
  );
  process.exit(1);
}
