/** What a logged error keeps: its class, its code (a gRPC status for a Temporal ServiceError) and frames, never its message. */
import { ServiceError } from '@temporalio/client';
import { expect, it } from 'vitest';
import { describeForLog, errorForLog } from '../../../../shared/errors/describe-for-log.ts';

it('names a ServiceError by its gRPC status, without the message', () => {
  const grpc = Object.assign(new Error('user-data-in-message'), { code: 9 });
  const error = new ServiceError('user-data-in-message', { cause: grpc });
  expect(errorForLog(error)).toMatchObject({ name: 'ServiceError', code: 'grpc 9' });
  expect(describeForLog(error)).toMatch(/^ServiceError \(grpc 9\)/);
  expect(describeForLog(error)).not.toContain('user-data-in-message');
});

it('keeps a string code of its own, and none when there is none', () => {
  expect(errorForLog(Object.assign(new Error('x'), { code: 'ENOENT' }))).toMatchObject({ code: 'ENOENT' });
  expect(errorForLog(new TypeError('x')).code).toBeUndefined();
  expect(errorForLog('text')).toEqual({ name: 'a thrown string', frames: [] });
});
