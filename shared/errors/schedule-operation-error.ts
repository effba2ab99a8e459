import { BatonError } from './baton-error.ts';

/** A schedule operation on a schedule that does not exist. */
export class ScheduleOperationError extends BatonError {
  override readonly name = 'ScheduleOperationError';
}
