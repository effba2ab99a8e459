/** Live block progress on stderr: one plain line per change. */
import type { BlockChange } from '../shared/runs/index.ts';

export function formatChange(change: BlockChange): string {
  const attempt = change.attempts > 1 ? ` (attempt ${change.attempts})` : '';
  const took =
    change.startedAt !== undefined && change.endedAt !== undefined ? ` in ${change.endedAt - change.startedAt} ms` : '';
  const error = change.error && change.status !== 'completed' ? `: ${change.error.type}: ${change.error.message}` : '';
  const items = change.items ? ` [${change.items.completed}/${change.items.total} items${change.items.failed ? `, ${change.items.failed} failed` : ''}]` : '';
  const reused = change.reused ? ' (reused)' : '';
  return `  ${change.blockId} ${change.status}${reused}${attempt}${items}${took}${error}`;
}

export function printChange(change: BlockChange): void {
  process.stderr.write(`${formatChange(change)}\n`);
}
