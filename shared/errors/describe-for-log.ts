/**
 * What a log line says about an unexpected error: its class, its code and
 * where it was thrown, never its message, which may carry user data
 * (a header value, a field of the trigger).
 */
export interface ErrorForLog {
  readonly name: string;
  readonly code?: string;
  /** Up to 8 `at ...` lines of the stack. */
  readonly frames: readonly string[];
}

export function errorForLog(error: unknown): ErrorForLog {
  if (!(error instanceof Error)) return { name: `a thrown ${typeof error}`, frames: [] };
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 8);
  const own = (error as { code?: unknown }).code;
  // A Temporal ServiceError carries the gRPC status as its cause's numeric code: the one clue to what the server refused.
  const grpc = (error as { cause?: { code?: unknown } }).cause?.code;
  const code = typeof own === 'string' ? own : typeof grpc === 'number' ? `grpc ${grpc}` : undefined;
  return { name: error.name, ...(code !== undefined ? { code } : {}), frames };
}

export function describeForLog(error: unknown): string {
  const { name, code, frames } = errorForLog(error);
  return [`${name}${code !== undefined ? ` (${code})` : ''}`, ...frames].join('\n');
}
