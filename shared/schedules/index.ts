export {
  SCHEDULE_PREFIX,
  controlSchedule,
  listSchedules,
  syncSchedules,
  reconcileSchedulesAtStart,
  temporalScheduleId,
  type ScheduleSummary,
  type SyncReport,
} from './reconcile.ts';
export { callersOf, syncSchedulesAfterRelease } from './follow-release.ts';
