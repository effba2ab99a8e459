/** Checks of the triggers section that a schema cannot express: cron syntax and IANA time zones. */
import { CronExpressionParser } from 'cron-parser';
import type { DefinitionIssue } from '../errors/index.ts';
import type { Triggers } from './schema.ts';

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function checkTriggers(triggers: Triggers | undefined): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const seen = new Set<string>();
  triggers?.schedules.forEach((schedule, index) => {
    const at = `triggers.schedules[${index}]`;
    if (seen.has(schedule.id)) issues.push({ path: `${at}.id`, message: `duplicate schedule id "${schedule.id}"` });
    seen.add(schedule.id);
    const timeZoneOk = isTimeZone(schedule.timezone);
    if (!timeZoneOk) issues.push({ path: `${at}.timezone`, message: `unknown time zone "${schedule.timezone}" (an IANA name such as Europe/Berlin)` });
    const fields = schedule.cron.split(/\s+/).length;
    if (!schedule.cron.startsWith('@') && fields !== 5) {
      issues.push({ path: `${at}.cron`, message: `"${schedule.cron}" has ${fields} fields; a cron needs 5 (minute hour day-of-month month day-of-week)` });
      return;
    }
    try {
      CronExpressionParser.parse(schedule.cron, { tz: timeZoneOk ? schedule.timezone : 'UTC', strict: false });
    } catch (error) {
      issues.push({ path: `${at}.cron`, message: `invalid cron "${schedule.cron}": ${error instanceof Error ? error.message : String(error)}` });
    }
  });
  return issues;
}
