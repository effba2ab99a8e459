import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, errorLogFields, logOptionsFromEnv, processLogger } from '../../../../shared/log/index.ts';
import { safeLogLine, sdkLoggerFor } from '../../../../worker/sdk-logger.ts';

const MARKER = 'marker-19c4';

function capture(format: 'json' | 'text', level: 'debug' | 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ component: 'baton worker', format, level, write: (text) => lines.push(text) });
  return { logger, lines };
}

describe('the log lines', () => {
  it('are JSON with level, time, component, message and fields', () => {
    const { logger, lines } = capture('json');
    logger.child({ runId: 'run-1' }).info({ blockId: 'charge', attempt: 2 }, 'block attempt');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, component: 'baton worker', runId: 'run-1', blockId: 'charge', attempt: 2, msg: 'block attempt' });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
    expect(lines[0]!.endsWith('\n')).toBe(true);
  });

  it('read as the processes always printed them in text form', () => {
    const { logger, lines } = capture('text');
    logger.info('polling baton on 127.0.0.1:7233');
    logger.warn({ runId: 'run-1', blockId: 'charge', note: 'two words\nand a line' }, 'block attempt');
    logger.error({ error: 'TypeError', stack: '    at f (a.ts:1:1)' }, 'internal error');
    expect(lines).toEqual([
      'baton worker: polling baton on 127.0.0.1:7233\n',
      'baton worker: block attempt runId=run-1 blockId=charge note="two words and a line"\n',
      'baton worker: internal error error=TypeError\n    at f (a.ts:1:1)\n',
    ]);
  });

  it('are left out below the level', () => {
    const { logger, lines } = capture('json', 'warn');
    logger.info('chatty');
    logger.debug('chattier');
    logger.warn('kept');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['kept']);
  });
});

describe('the log settings', () => {
  it('take the level from BATON_LOG_LEVEL, and JSON in AWS unless BATON_LOG_FORMAT says otherwise', () => {
    expect(logOptionsFromEnv({})).toEqual({ level: 'info', format: 'text' });
    expect(logOptionsFromEnv({ BATON_LOG_LEVEL: 'debug' })).toEqual({ level: 'debug', format: 'text' });
    expect(logOptionsFromEnv({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toEqual({ level: 'info', format: 'json' });
    expect(logOptionsFromEnv({ AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', BATON_LOG_FORMAT: 'text' }).format).toBe('text');
  });

  it('name a bad one, and a module-scope logger falls back to the defaults', () => {
    expect(() => logOptionsFromEnv({ BATON_LOG_LEVEL: 'loud' })).toThrow(/BATON_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "loud"/);
    expect(() => logOptionsFromEnv({ BATON_LOG_FORMAT: 'xml' })).toThrow(/BATON_LOG_FORMAT: must be one of json, text/);
    expect(processLogger('api', { BATON_LOG_LEVEL: 'loud' }).level).toBe('info');
    expect(processLogger('api', { BATON_LOG_LEVEL: 'error' }).level).toBe('error');
  });
});

describe('errors in log lines', () => {
  it('are their class, code and frames, never their message', () => {
    const error = Object.assign(new Error(`cannot parse ${MARKER}`), { code: 'E_PARSE' });
    const fields = errorLogFields(error);
    expect(fields).toMatchObject({ error: 'Error', code: 'E_PARSE' });
    expect(fields.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(fields)).not.toContain(MARKER);
    expect(errorLogFields('oops')).toEqual({ error: 'a thrown string' });
  });
});

describe('the Temporal SDK through the process logger', () => {
  it('writes the SDK entries as safe fields: JSON with its ids, and text exactly the line the worker always printed', async () => {
    const error = ApplicationFailure.nonRetryable(`block "x" failed: ${MARKER}`, 'BlockFailed', { blockId: 'x', type: 'TypeError', rootMessage: MARKER });
    const meta = { workflowId: 'run-2', workflowType: 'batonRun', attempt: 1, input: { secret: MARKER }, error };
    const json = capture('json');
    sdkLoggerFor(json.logger).warn(`Workflow failed: ${MARKER}`, meta);
    sdkLoggerFor(json.logger).info('Worker state changed', { state: 'RUNNING' });
    expect(json.lines).toHaveLength(1);
    expect(json.lines[0]).not.toContain(MARKER);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({
      level: 40,
      source: 'temporal',
      sdkLevel: 'WARN',
      msg: 'Workflow failed',
      workflowId: 'run-2',
      workflowType: 'batonRun',
      error: 'ApplicationFailure',
      errorType: 'BlockFailed',
      blockId: 'x',
      blockErrorType: 'TypeError',
    });

    const text = capture('text');
    sdkLoggerFor(text.logger).warn(`Workflow failed: ${MARKER}`, meta);
    expect(text.lines).toEqual([`baton worker: ${safeLogLine('WARN', 'Workflow failed', meta)}\n`]);
    // Debugging shows the SDK's INFO lines too.
    const debug = capture('text', 'debug');
    sdkLoggerFor(debug.logger).info('Worker state changed', { state: 'RUNNING' });
    expect(debug.lines).toEqual(['baton worker: temporal INFO Worker state changed state=RUNNING\n']);
  });
});
