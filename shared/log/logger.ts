/**
 * One logger for every process (worker, API, executors, codec server, the
 * local stack): pino, JSON lines in AWS (CloudWatch parses them), readable
 * lines locally (`baton worker: polling baton ... key=value`), the level from
 * BATON_LOG_LEVEL. Lines carry ids, names, types and codes; never user data
 * or secrets, which is why callers pass fields they chose, never a whole
 * object from a request or a run (docs/design.md, Logs).
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { envOneOf, parseEnv, type Env } from '../config/env-schema.ts';
import { errorForLog } from '../errors/describe-for-log.ts';
import { z } from 'zod';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LOG_FORMATS = ['json', 'text'] as const;

/** The log settings every process reads (each adds these to its settings schema). */
export const logSettings = {
  BATON_LOG_LEVEL: envOneOf(LOG_LEVELS),
  BATON_LOG_FORMAT: envOneOf(LOG_FORMATS),
};

export interface LogOptions {
  readonly level: LevelWithSilent;
  readonly format: (typeof LOG_FORMATS)[number];
}

/** JSON where a log service reads the lines (Lambda and ECS set AWS_EXECUTION_ENV), text elsewhere; BATON_LOG_FORMAT decides when set. */
export function logOptionsFromEnv(env: Env): LogOptions {
  const settings = parseEnv(z.object(logSettings), env);
  const inAws = env.AWS_EXECUTION_ENV !== undefined && env.AWS_EXECUTION_ENV !== '';
  return { level: settings.BATON_LOG_LEVEL ?? 'info', format: settings.BATON_LOG_FORMAT ?? (inAws ? 'json' : 'text') };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** What pino writes on every line, which the text form leaves out or shows its own way. */
const FRAME = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component', 'source', 'sdkLevel', 'stack']);
const MAX_FIELD_CHARS = 200;

function textField(name: string, value: unknown): string {
  const raw = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const text = raw.replace(/[\r\n]+/g, ' ').slice(0, MAX_FIELD_CHARS);
  return `${name}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
}

/**
 * One JSON line as a readable one: `<component>: message key=value ...`, as
 * the processes have always printed (their tests and operators read these);
 * the level is in the JSON form. The Temporal SDK's lines show its own level,
 * after `temporal`, as the worker always printed them.
 */
export function textLine(json: string): string {
  const record = JSON.parse(json) as Record<string, unknown>;
  const level = LEVEL_NAMES[Number(record.level)] ?? 'INFO';
  const head = record.source === 'temporal' ? `temporal ${typeof record.sdkLevel === 'string' ? record.sdkLevel : level} ` : '';
  const fields = Object.entries(record)
    .filter(([name, value]) => !FRAME.has(name) && value !== undefined)
    .map(([name, value]) => textField(name, value));
  const component = typeof record.component === 'string' ? `${record.component}: ` : '';
  const stack = typeof record.stack === 'string' ? `\n${record.stack}` : '';
  return `${component}${[`${head}${String(record.msg ?? '')}`, ...fields].join(' ')}${stack}\n`;
}

/** What a line becomes before it is written: the JSON as pino made it, or its text form. */
function destination(format: LogOptions['format'], write: (text: string) => void) {
  if (format === 'json') return { write };
  return { write: (json: string) => write(textLine(json)) };
}

export interface CreateLoggerOptions extends Partial<LogOptions> {
  /** The process's name, first on every text line and a field of every JSON line (`baton worker`, `api`). */
  readonly component: string;
  /** Tests capture lines; stderr otherwise. */
  readonly write?: (text: string) => void;
}

/**
 * JSON goes straight to stderr, one raw line each: Lambda's console would
 * prefix it with its own time and request id. Text goes through the console,
 * as the processes have always written it (what captures the console locally
 * still sees it).
 */
function defaultWrite(format: LogOptions['format']): (text: string) => void {
  if (format === 'json') return (text) => void process.stderr.write(text);
  return (text) => console.error(text.endsWith('\n') ? text.slice(0, -1) : text);
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const format = options.format ?? 'text';
  const write = options.write ?? defaultWrite(format);
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: options.component },
      // Errors are logged by name and code by the callers; pino's own serialiser would add a message and a stack.
      serializers: {},
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination(format, write),
  );
}

/** A process's logger from its env (BATON_LOG_LEVEL, BATON_LOG_FORMAT). */
export function loggerFromEnv(component: string, env: Env, write?: (text: string) => void): Logger {
  return createLogger({ component, ...logOptionsFromEnv(env), ...(write ? { write } : {}) });
}

/**
 * A logger for a module that starts before its process has read its settings
 * (a Lambda handler's module scope): from process.env, and with the defaults
 * when a log setting is bad, since the process's own settings parse names it.
 */
export function processLogger(component: string, env: Env = process.env): Logger {
  let options: LogOptions;
  try {
    options = logOptionsFromEnv(env);
  } catch {
    options = { level: 'info', format: env.AWS_EXECUTION_ENV ? 'json' : 'text' };
  }
  return createLogger({ component, ...options });
}

/** An unexpected error as log fields: its class, code and frames, never its message (shared/errors/describe-for-log.ts). */
export function errorLogFields(error: unknown): { error: string; code?: string; stack?: string } {
  const { name, code, frames } = errorForLog(error);
  return { error: name, ...(code !== undefined ? { code } : {}), ...(frames.length > 0 ? { stack: frames.join('\n') } : {}) };
}
