/**
 * npm 12 runs a dependency's install script only when package.json's
 * `allowScripts` allows it, and warns about every one it blocks. Every
 * installed package with an install script (preinstall, install, postinstall,
 * or a binding.gyp, which npm builds with node-gyp when there is no install
 * script) must be named there: allowed or denied, never forgotten.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Manifest {
  name?: string;
  version?: string;
  scripts?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
}

/** Every package under node_modules (nested ones too) that has an install script: `name@version`. */
export function packagesWithInstallScripts(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? readdirSync(join(modules, entry.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(modules, entry.name, e.name))
        : [join(modules, entry.name)];
      for (const dir of dirs) {
        const manifest = readManifest(dir);
        if (manifest?.name) {
          const scripted = INSTALL_SCRIPTS.some((script) => manifest.scripts?.[script]) || existsSync(join(dir, 'binding.gyp'));
          if (scripted) found.set(`${manifest.name}@${manifest.version ?? '?'}`, dir);
        }
        visit(join(dir, 'node_modules'));
      }
    }
  };
  visit(join(root, 'node_modules'));
  return found;
}

/** npm's allowScripts keys are a name or `name@range`; the name is what is matched here. */
function policyNames(allowScripts: Record<string, boolean>): Set<string> {
  return new Set(Object.keys(allowScripts).map((key) => key.replace(/(?<=.)@.*$/, '')));
}

function unlisted(root: string, allowScripts: Record<string, boolean>): string[] {
  const names = policyNames(allowScripts);
  return [...packagesWithInstallScripts(root).keys()].filter((id) => !names.has(id.replace(/(?<=.)@[^@]*$/, ''))).sort();
}

const project = readManifest('.')!;

describe('the install-script policy (allowScripts)', () => {
  it('names every installed package that has an install script', () => {
    expect(project.allowScripts, 'package.json has no allowScripts').toBeDefined();
    const scripted = packagesWithInstallScripts('.');
    // isolated-vm (binding.gyp) and esbuild (postinstall) are installed; if the walk misses them it checks nothing.
    expect([...scripted.keys()].some((id) => id.startsWith('isolated-vm@'))).toBe(true);
    expect([...scripted.keys()].some((id) => id.startsWith('esbuild@'))).toBe(true);
    expect(unlisted('.', project.allowScripts!)).toEqual([]);
  });

  it('agrees with the lockfile: each package npm records with hasInstallScript is named', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const names = policyNames(project.allowScripts!);
    const missing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
      .filter((name) => !names.has(name));
    expect(missing).toEqual([]);
  });

  it('names nothing that is no longer installed with a script', () => {
    const installed = new Set([...packagesWithInstallScripts('.').keys()].map((id) => id.replace(/(?<=.)@[^@]*$/, '')));
    expect([...policyNames(project.allowScripts!)].filter((name) => !installed.has(name))).toEqual([]);
  });

  it('catches a package the policy forgets (postinstall, or only a binding.gyp)', () => {
    const root = mkdtempSync(join(tmpdir(), 'baton-scripts-'));
    const add = (path: string, manifest: Manifest, gyp = false) => {
      const dir = join(root, 'node_modules', path);
      mkdirSync(dir, { recursive: true });
      const name = path.split('/node_modules/').pop()!;
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
      if (gyp) writeFileSync(join(dir, 'binding.gyp'), '{}');
    };
    add('allowed', { scripts: { postinstall: 'node x.js' } });
    add('@scope/forgotten', { scripts: { install: 'node y.js' } });
    add('native', {}, true);
    add('plain', { scripts: { test: 'vitest' } });
    add('allowed/node_modules/nested', { scripts: { preinstall: 'node z.js' } });
    expect(unlisted(root, { allowed: true, 'native@^1': false })).toEqual(['@scope/forgotten@1.0.0', 'nested@1.0.0']);
  });
});
