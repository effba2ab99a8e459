/** `--name=N` options of the benchmarks. */
export function numberOption(argv: readonly string[], name: string, fallback: number, whole = false): number {
  const raw = argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${whole ? 'whole ' : ''}number, got "${raw}"`);
  }
  return value;
}
