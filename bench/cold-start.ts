/**
 * `npm run bench -- cold-start [--runs=N] [--with=NODE:ISOLATED_VM_DIR:LABEL ...]`:
 * the code-executor's cold start as a new Lambda container pays it: a fresh
 * Node process loads isolated-vm's native module, makes its first isolate
 * and context, and compiles and runs a first code block (wrapped as the
 * sandbox wraps it). Each run is a new process; figures are the median and
 * the slowest of N. By default it measures this Node with this tree's
 * isolated-vm, and tries the machine's /usr/bin/node with it too, reporting
 * when that Node cannot load it. `--with` adds another Node and isolated-vm
 * (an older tree's, say) measured the same way.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CODE_PREFIX, CODE_SUFFIX } from '../shared/definition/index.ts';

const run = promisify(execFile);

/** The child: plain CommonJS, so it runs on any Node; prints one JSON line of phase times in ms. */
const CHILD = `
const { performance } = require('node:perf_hooks');
const t0 = performance.now();
const ivm = require(process.argv[1]);
const t1 = performance.now();
const isolate = new ivm.Isolate({ memoryLimit: 128 });
const t2 = performance.now();
(async () => {
  const context = await isolate.createContext();
  const t3 = performance.now();
  const script = await isolate.compileScript(process.argv[2]);
  const fn = await script.run(context, { reference: true });
  const result = await fn.apply(undefined, [], { result: { promise: true, copy: true } });
  const t4 = performance.now();
  if (result.sum !== 42) throw new Error('wrong result ' + JSON.stringify(result));
  process.stdout.write(JSON.stringify({ sinceStart: t0, load: t1 - t0, isolate: t2 - t1, context: t3 - t2, firstRun: t4 - t3, total: t4 - t0 }) + '\\n');
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

const BLOCK = `${CODE_PREFIX}const n = 41;\nreturn { sum: n + 1 };${CODE_SUFFIX}`;

interface Target {
  readonly label: string;
  readonly node: string;
  readonly ivm: string;
}

type Phases = Record<'sinceStart' | 'load' | 'isolate' | 'context' | 'firstRun' | 'total' | 'process', number>;

async function once(target: Target): Promise<Phases> {
  const started = performance.now();
  const { stdout } = await run(target.node, ['--no-node-snapshot', '-e', CHILD, target.ivm, BLOCK], { timeout: 60_000 });
  const process_ = performance.now() - started;
  return { ...(JSON.parse(stdout) as Omit<Phases, 'process'>), process: process_ };
}

function versionOf(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function benchColdStart(argv: readonly string[]): Promise<void> {
  const runs = Number(argv.find((arg) => arg.startsWith('--runs='))?.slice(7) ?? 10);
  const here = resolve('node_modules/isolated-vm');
  const targets: Target[] = [{ label: 'this tree', node: process.execPath, ivm: here }];
  if (existsSync('/usr/bin/node') && resolve('/usr/bin/node') !== process.execPath) targets.push({ label: 'machine Node', node: '/usr/bin/node', ivm: here });
  for (const arg of argv.filter((a) => a.startsWith('--with='))) {
    const [node, ivm, label] = arg.slice(7).split(':');
    if (!node || !ivm) throw new Error(`--with=NODE:ISOLATED_VM_DIR[:LABEL], got "${arg}"`);
    targets.push({ label: label ?? ivm, node, ivm: resolve(ivm) });
  }
  console.log(`code-executor cold start: a new process loads isolated-vm, makes an isolate and a context, runs one block; median (slowest) of ${runs} runs, ms`);
  console.log('| Node | isolated-vm | load module | first isolate | first context | first run | load to result | whole process |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const target of targets) {
    const { stdout: version } = await run(target.node, ['-p', 'process.version']);
    const label = `${version.trim()} (${target.label})`;
    const samples: Phases[] = [];
    try {
      for (let i = 0; i < runs; i++) samples.push(await once(target));
    } catch (error) {
      const lines = String((error as { stderr?: string }).stderr ?? error).trim().split('\n');
      const stderr = lines.find((line) => /^\w*Error:/.test(line)) ?? lines[0] ?? String(error);
      console.log(`| ${label} | ${versionOf(target.ivm)} | does not load: ${stderr.trim().slice(0, 160).replaceAll('|', '/')} | | | | | |`);
      continue;
    }
    const cell = (key: keyof Phases) => {
      const values = samples.map((s) => s[key]);
      return `${median(values).toFixed(1)} (${Math.max(...values).toFixed(1)})`;
    };
    console.log(`| ${label} | ${versionOf(target.ivm)} | ${cell('load')} | ${cell('isolate')} | ${cell('context')} | ${cell('firstRun')} | ${cell('total')} | ${cell('process')} |`);
  }
}
