export {
  SCHEDULE_PREFIX,
  ScheduleOperationError,
  controlSchedule,
  listSchedules,
  syncSchedules,
  reconcileSchedulesAtStart,
  temporalScheduleId,
  type ScheduleSummary,
  type SyncReport,
} from './reconcile.ts';
