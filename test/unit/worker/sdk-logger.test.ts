import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { fixedPart, safeLogLine, sdkLogger } from '../../../worker/sdk-logger.ts';

const MARKER = 'marker-7f3a';

describe('safeLogLine', () => {
  it('keeps ids and codes and drops every other attribute', () => {
    const line = safeLogLine('WARN', 'Activity failed', {
      workflowId: 'run-1',
      activityType: 'runBlock',
      attempt: 2,
      input: { secret: MARKER },
      result: MARKER,
    });
    expect(line).toBe('temporal WARN Activity failed workflowId=run-1 activityType=runBlock attempt=2');
  });

  it('names an error by its class, failure type and cause, never its message or stack', () => {
    const error = ApplicationFailure.nonRetryable(`block "x" failed: ${MARKER}`, 'BlockFailed', { blockId: 'x', type: 'TypeError', rootMessage: MARKER });
    const line = safeLogLine('WARN', 'Workflow failed', { error });
    expect(line).toBe('temporal WARN Workflow failed error=ApplicationFailure errorType=BlockFailed blockId=x blockErrorType=TypeError');
    const wrapped = safeLogLine('ERROR', 'Worker failed', { error: new Error(MARKER, { cause: new RangeError(MARKER) }) });
    expect(wrapped).toBe('temporal ERROR Worker failed error=Error errorCause=RangeError');
  });

  it('cuts a message where the SDK interpolates an error, and keeps fields on one line', () => {
    expect(fixedPart(`Error while processing ActivityTask.start: ${MARKER}`)).toBe('Error while processing ActivityTask.start');
    expect(fixedPart(`Workflow failed\n${MARKER}`)).toBe('Workflow failed');
    expect(safeLogLine('INFO', 'Worker state changed', { state: 'RUNNING\nX: 1' })).toBe('temporal INFO Worker state changed state="RUNNING X: 1"');
  });
});

describe('sdkLogger', () => {
  it('writes only entries at or above its level, as safe lines', () => {
    const lines: string[] = [];
    const logger = sdkLogger((line) => lines.push(line), 'WARN');
    logger.info('Worker state changed', { state: 'RUNNING' });
    logger.warn('Workflow failed', { workflowId: 'run-2', error: new Error(MARKER) });
    expect(lines).toEqual(['temporal WARN Workflow failed workflowId=run-2 error=Error']);
  });
});
