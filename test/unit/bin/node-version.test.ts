/**
 * bin/baton.js and bin/run-ts.js on a Node older than `engines`: one line and
 * exit 1, not isolated-vm's "No native build was found" stack trace. The
 * machine's own Node (/usr/bin/node, 20) is the older Node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const OLD_NODE = '/usr/bin/node';
const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
const oldVersion = existsSync(OLD_NODE) ? execFileSync(OLD_NODE, ['-p', 'process.versions.node']).toString().trim() : undefined;

describe('an older Node', () => {
  it('is what this test runs the commands under', () => {
    expect(oldVersion, `${OLD_NODE} is missing`).toBeDefined();
    expect(Number(oldVersion!.split('.')[0])).toBeLessThan(Number(/\d+/.exec(engines)![0]));
  });

  for (const [bin, args] of [
    ['bin/baton.js', ['validate', 'workflows/hello.yaml']],
    ['bin/run-ts.js', ['bench/index.ts']],
  ] as const) {
    it(`${bin} exits 1 with one line naming both versions`, () => {
      const result = spawnSync(OLD_NODE, [resolve(bin), ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`needs Node ${engines}`);
      expect(lines[0]).toContain(`this is Node ${oldVersion}`);
      expect(result.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    });
  }

  it('does not stop the current Node', () => {
    const result = spawnSync(process.execPath, [resolve('bin/baton.js'), 'validate', 'workflows/hello.yaml'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toContain('needs Node');
    expect(result.status).toBe(0);
  });
});
