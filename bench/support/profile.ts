/**
 * BATON_BENCH_CPU_PROF=DIR: a V8 CPU profile of every thread of each Node
 * process a benchmark starts, for finding where the time goes;
 * BATON_BENCH_CPU_PROF_INTERVAL=µs samples more often than the default
 * millisecond, which hides the hops of a single run.
 */
export function profileNodeArgs(): string[] | undefined {
  const dir = process.env.BATON_BENCH_CPU_PROF;
  if (!dir) return undefined;
  const interval = process.env.BATON_BENCH_CPU_PROF_INTERVAL;
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(interval ? [`--cpu-prof-interval=${interval}`] : [])];
}
