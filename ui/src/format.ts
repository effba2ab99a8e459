import type { Time } from './types.ts';

export function toDate(time: Time | undefined): Date | undefined {
  if (time === undefined) return undefined;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Local date and time, to the second. */
export function formatTime(time: Time | undefined): string {
  const date = toDate(time);
  if (!date) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function between(start: Time | undefined, end: Time | undefined): number | undefined {
  const a = toDate(start);
  const b = toDate(end);
  return a && b ? b.getTime() - a.getTime() : undefined;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A hash route to a page; every part is encoded, so no user string can change the route's shape. */
export const links = {
  workflows: () => '#/',
  workflow: (name: string) => `#/workflows/${encodeURIComponent(name)}`,
  run: (runId: string) => `#/runs/${encodeURIComponent(runId)}`,
};
