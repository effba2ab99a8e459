/**
 * `npm run bench [name ...] [--options]`: a thin dispatcher over the
 * benchmarks, each a module with `main(argv)`. With no name: `shapes`.
 * Each benchmark compares with a baseline measured in the same run.
 */
type Benchmark = { main(argv: readonly string[]): Promise<void> };

const BENCHMARKS: Record<string, { readonly about: string; readonly load: () => Promise<Benchmark> }> = {
  shapes: { about: 'Baton vs plain Temporal on five workflow shapes (--quick, --shape=ID)', load: () => import('./shapes/index.ts') },
  load: { about: '2,000 runs through the HTTP API of baton dev at a steady rate (--runs=N, --rate=N per s)', load: () => import('./load.ts') },
  sync: { about: 'a sync HTTP trigger of four blocks through the API of baton dev, one request at a time (--runs=N)', load: () => import('./sync.ts') },
  soak: { about: '10,000 runs through one worker, RSS growth (--runs=N, --concurrency=N)', load: () => import('./soak.ts') },
  executor: {
    about: 'one block inside the code-executor, warm and on a new isolate; then Python blocks beside it (--quick, --no-python)',
    load: async () => {
      const { benchExecutor } = await import('./executor.ts');
      const { benchPython } = await import('./python.ts');
      return {
        main: async (argv) => {
          await benchExecutor({ quick: argv.includes('--quick') });
          if (!argv.includes('--no-python')) await benchPython({ quick: argv.includes('--quick') });
        },
      };
    },
  },
  'cold-start': {
    about: "the code-executor's cold start: isolated-vm load, first isolate, first run, in fresh processes (--runs=N, --with=NODE:IVM_DIR:LABEL)",
    load: async () => {
      const { benchColdStart } = await import('./cold-start.ts');
      return { main: (argv) => benchColdStart(argv) };
    },
  },
  db: {
    about: 'a query block through the whole path beside a direct pg query and plain Temporal',
    // bench/db.ts runs as it is imported.
    load: () => Promise.resolve({ main: async () => void (await import('./db.ts')) }),
  },
  codec: {
    about: 'the payload codec against raw AES-256-GCM alone, no stack',
    load: async () => {
      const { runCodecBench } = await import('./codec.ts');
      return { main: () => runCodecBench() };
    },
  },
};

const argv = process.argv.slice(2);
const names = argv.filter((arg) => !arg.startsWith('-'));
const options = argv.filter((arg) => arg.startsWith('-'));
const unknown = names.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0 || options.includes('--help')) {
  if (unknown.length > 0) console.error(`unknown benchmark: ${unknown.join(', ')}`);
  console.error('usage: npm run bench -- [name ...] [--options]');
  for (const [name, { about }] of Object.entries(BENCHMARKS)) console.error(`  ${name.padEnd(8)} ${about}`);
  process.exit(unknown.length > 0 ? 2 : 0);
}
for (const name of names.length > 0 ? names : ['shapes']) {
  const benchmark = await BENCHMARKS[name]!.load();
  await benchmark.main(options);
}
