/** The machine a benchmark ran on, as its reports name it: CPUs, Node, date, and how busy it was. */
import { cpus, loadavg } from 'node:os';

export function describeMachine(): string {
  const [one, five] = loadavg();
  return (
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ` +
    `load average ${one?.toFixed(1) ?? '?'} (1 min) / ${five?.toFixed(1) ?? '?'} (5 min) at the end`
  );
}
