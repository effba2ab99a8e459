/**
 * The Temporal SDK's logs (its worker, the workflow logger sink, activities,
 * forwarded core logs) through Baton's one log line, keeping only what may be
 * logged: ids, names, types and codes, never user messages or data (docs/design.md).
 * The SDK's default logger printed every failed run's failure in full, e.g.
 * `Workflow failed … block "x" failed: <the user's error message>`.
 *
 * What goes:
 * - attributes outside a fixed list of ids and codes;
 * - an error's message and stack: it is named by its class and failure type,
 *   and a failed run by the block that failed it and that block's error type;
 * - anything after the first colon or line break of a message, where the SDK
 *   interpolates an error's text (`Error while processing ActivityTask.start: …`).
 */
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { BLOCK_FAILED } from '../shared/contract/index.ts';
import type { Logger } from '../shared/log/index.ts';

/** Attributes that are ids, names or codes (orchestration data), by the SDK's own keys. */
const SAFE_ATTRIBUTES = [
  'sdkComponent',
  'namespace',
  'taskQueue',
  'workflowType',
  'workflowId',
  'runId',
  'activityType',
  'activityId',
  'attempt',
  'updateName',
  'updateId',
  'state',
  'durationMs',
  // Core's forwarded lines name the same ids its own way.
  'target',
  'task_queue',
  'workflow_type',
  'workflow_id',
  'run_id',
  'activity_type',
  'activity_id',
  // batonRun's own lines: a block id is an identifier of the definition, its type and error type are names.
  'blockId',
  'blockType',
  'blockErrorType',
] as const;

const ERROR_ATTRIBUTES = ['error', 'err', 'failure'] as const;
const MAX_FIELD_CHARS = 200;

/** An id or code as a log field: one line, bounded, quoted when it has spaces. */
function field(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = String(value).replace(/[\r\n]+/g, ' ').slice(0, MAX_FIELD_CHARS);
  return `${name}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
}

/** An error's name and failure type (not its message); for a failed batonRun, the block and its error type. */
function errorFields(prefix: string, error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object') return [];
  // Duck-typed: errors from the workflow sandbox come from another V8 realm, so instanceof fails.
  const { name, type, details, cause } = error as { name?: unknown; type?: unknown; details?: unknown; cause?: unknown };
  const fields = [field(prefix, name), field(`${prefix}Type`, type)];
  const detail = Array.isArray(details) ? (details[0] as { blockId?: unknown; type?: unknown } | undefined) : undefined;
  if (type === BLOCK_FAILED && detail) fields.push(field('blockId', detail.blockId), field('blockErrorType', detail.type));
  const nested = depth < 2 && cause ? errorFields(`${prefix}Cause`, cause, depth + 1) : [];
  return [...fields.filter((f): f is string => f !== undefined), ...nested];
}

/** The message as far as the SDK writes it itself: up to where it interpolates an error's text. */
export function fixedPart(message: string): string {
  const cut = message.search(/[:\r\n]/);
  return (cut === -1 ? message : message.slice(0, cut)).trim().slice(0, MAX_FIELD_CHARS);
}

function safeFieldTexts(meta: LogMetadata): string[] {
  const fields = SAFE_ATTRIBUTES.map((name) => field(name, meta[name])).filter((f): f is string => f !== undefined);
  for (const name of ERROR_ATTRIBUTES) fields.push(...errorFields(name, meta[name]));
  return fields;
}

/** One SDK log entry as a Baton log line without user data. */
export function safeLogLine(level: LogLevel, message: string, meta: LogMetadata = {}): string {
  return [`temporal ${level}`, fixedPart(message), ...safeFieldTexts(meta)].join(' ');
}

/** The same fields as an object for a structured line: the kept ids and codes, values as strings, in order. */
export function safeLogFields(meta: LogMetadata = {}): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const text of safeFieldTexts(meta)) {
    const equals = text.indexOf('=');
    const value = text.slice(equals + 1);
    fields[text.slice(0, equals)] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return fields;
}

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK level for a process's BATON_LOG_LEVEL: WARN unless debugging, since the SDK's INFO lines are chatty. */
export function sdkLevelFor(level: string): LogLevel {
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  if (level === 'error' || level === 'fatal' || level === 'silent') return 'ERROR';
  return 'WARN';
}

/** A logger for Runtime.install writing the SDK's entries through the process's pino logger, as safe fields. */
export function sdkLoggerFor(logger: Logger, level: LogLevel = sdkLevelFor(logger.level)): DefaultLogger {
  const sdk = logger.child({ source: 'temporal' });
  return new DefaultLogger(level, (entry: LogEntry) => {
    sdk[PINO_LEVEL[entry.level]]({ sdkLevel: entry.level, ...safeLogFields(entry.meta) }, fixedPart(entry.message));
  });
}

/** A logger for Runtime.install: the SDK's level filter, Baton's lines, written by `write`. */
export function sdkLogger(write: (line: string) => void, level: LogLevel = 'WARN'): DefaultLogger {
  return new DefaultLogger(level, (entry: LogEntry) => write(safeLogLine(entry.level, entry.message, entry.meta)));
}

/**
 * Runtime.install's telemetry logging: core's own lines (which it would
 * otherwise print straight to stderr, past any logger) are forwarded to the
 * logger above, at the levels the SDK shows by default. Only for a process
 * that ends by shutting its workers down (worker/main.ts): the forwarding
 * receiver holds the event loop until the runtime shuts down, which a CLI
 * process whose embedded stack started no worker never does (it hung
 * `baton run` at exit), so the local stack leaves core on the console.
 */
export const FORWARD_CORE_LOGS = { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } as const;
