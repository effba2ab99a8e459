/**
 * The encryption tests trust sdkBookkeeping to let through in clear only the
 * SDK's own marker fields; this checks the predicate itself can say no.
 */
import { describe, expect, it } from 'vitest';
import { sdkBookkeeping } from '../../support/history.ts';

const payload = (value: unknown) => ({ metadata: {}, data: Buffer.from(JSON.stringify(value)).toString('base64') });
const marker = (markerName: string, detail: string, value: unknown) => ({
  markerRecordedEventAttributes: { markerName, details: { [detail]: { payloads: [payload(value)] } } },
});

describe('sdkBookkeeping', () => {
  it('accepts a local-activity marker holding only the SDK fields', () => {
    const history = { events: [marker('core_local_activity', 'data', { seq: 1, attempt: 1, activity_id: '1', activity_type: 'runBlock' })] };
    const [entry, ...rest] = sdkBookkeeping(history, []);
    expect(rest).toEqual([]);
    expect(entry!.kind).toBe('core_local_activity');
    expect(entry!.onlyBookkeeping()).toMatchObject({ activity_type: 'runBlock' });
  });

  it('refuses a marker with any other field, and a patch it was not told of', () => {
    const history = {
      events: [
        marker('core_local_activity', 'data', { seq: 1, result: 'user data' }),
        marker('core_patch', 'patch-data', { id: 'unknown-patch', deprecated: false }),
      ],
    };
    const entries = sdkBookkeeping(history, ['known-patch']);
    expect(entries.map(({ kind }) => kind)).toEqual(['core_local_activity', 'core_patch']);
    expect(entries.map((entry) => entry.onlyBookkeeping())).toEqual([undefined, undefined]);
  });

  it('ignores markers it does not know, so the caller counts them as payloads to check', () => {
    expect(sdkBookkeeping({ events: [marker('user_marker', 'data', { secret: 1 })] }, [])).toEqual([]);
  });
});
