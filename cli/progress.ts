/**
 * Live block progress on stderr: one line per change, with durations. On a
 * terminal the status is coloured; piped or in CI the lines stay plain.
 */
import type { BlockChange } from '../shared/runs/index.ts';

const COLOURS: Record<string, string> = {
  running: '\x1b[36m',
  completed: '\x1b[32m',
  failed: '\x1b[31m',
  cancelled: '\x1b[33m',
  skipped: '\x1b[90m',
};

export function formatChange(change: BlockChange, colour = false): string {
  const attempt = change.attempts > 1 ? ` (attempt ${change.attempts})` : '';
  const took =
    change.startedAt !== undefined && change.endedAt !== undefined ? ` in ${change.endedAt - change.startedAt} ms` : '';
  const error = change.error && change.status !== 'completed' ? `: ${change.error.type}: ${change.error.message}` : '';
  const items = change.items ? ` [${change.items.completed}/${change.items.total} items${change.items.failed ? `, ${change.items.failed} failed` : ''}]` : '';
  const reused = change.reused ? ' (reused)' : '';
  const status = colour && COLOURS[change.status] ? `${COLOURS[change.status]}${change.status}\x1b[0m` : change.status;
  return `  ${change.blockId} ${status}${reused}${attempt}${items}${took}${error}`;
}

export function printChange(change: BlockChange): void {
  process.stderr.write(`${formatChange(change, process.stderr.isTTY && !process.env.NO_COLOR)}\n`);
}
