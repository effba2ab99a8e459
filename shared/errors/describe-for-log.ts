/**
 * What a log line says about an unexpected error: its class, its code and
 * where it was thrown, never its message, which may carry user data
 * (a header value, a field of the trigger).
 */
export function describeForLog(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${typeof error}`;
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 8);
  const code = (error as { code?: unknown }).code;
  return [`${error.name}${typeof code === 'string' ? ` (${code})` : ''}`, ...frames].join('\n');
}
