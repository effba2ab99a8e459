/**
 * The stack's children die with their parent even when it is SIGKILLed: a
 * Node child through its parent watch (spawnTs), a native program through
 * setpriv --pdeathsig (spawnTied) or bin/parent-guard.js (elsewhere).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { allGone, commandLine, descendants, isAlive } from '../../support/processes.ts';

describe('children of a SIGKILLed parent', () => {
  it('a spawnTs child, a parent-guard.js program and a spawnTied program all end within seconds', async () => {
    const parent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), new URL('./fixtures/spawn-child.ts', import.meta.url).pathname], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    const pids = JSON.parse(line) as { ts: number; guard: number; tied: number };
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the spawnTs child has loaded its watch, the guard started sleep
    const sleeper = descendants(pids.guard).find((pid) => commandLine(pid).startsWith('sleep'));
    expect(sleeper).toBeDefined();
    for (const pid of [pids.ts, pids.guard, pids.tied, sleeper!]) expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await allGone([pids.ts, pids.guard, pids.tied, sleeper!], 5000);
  });
});

describe('bin/run-ts.js', () => {
  it('takes its TypeScript child with it when it is SIGKILLed', async () => {
    const script = new URL('./fixtures/up-and-idle.ts', import.meta.url).pathname;
    const runner = spawn(process.execPath, [new URL('../../../bin/run-ts.js', import.meta.url).pathname, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => runner.stdout!.once('data', () => resolve()));
    const [child] = descendants(runner.pid!);
    expect(child).toBeDefined();
    expect(commandLine(child!)).toContain('up-and-idle.ts');
    runner.kill('SIGKILL');
    await allGone([child!], 10_000);
  });
});
