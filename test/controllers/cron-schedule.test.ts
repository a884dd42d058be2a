// Unit tests for the cron parser and next-run computation (pure logic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextAfter, parseSchedule } from '../../src/controllers/cronjob/cron-schedule.js';

const at = (s: string) => Date.parse(s);
const iso = (n: number | undefined) => (n === undefined ? 'none' : new Date(n).toISOString());

describe('cron schedule', () => {
  it('steps, ranges, lists and names', () => {
    assert.equal(iso(nextAfter(parseSchedule('*/15 * * * *'), at('2024-03-01T10:07:30Z'))), '2024-03-01T10:15:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('0 9-17/4 * * mon-fri'), at('2024-03-01T18:00:00Z'))), '2024-03-04T09:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('30 2 1,15 feb *'), at('2024-02-01T03:00:00Z'))), '2024-02-15T02:30:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('@monthly'), at('2024-01-31T12:00:00Z'))), '2024-02-01T00:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('0 0 * * 7'), at('2024-03-01T00:00:00Z'))), '2024-03-03T00:00:00.000Z');
  });

  it('day-of-month and day-of-week restricted together match either', () => {
    // the 13th, or any Friday
    assert.equal(iso(nextAfter(parseSchedule('0 0 13 * 5'), at('2024-03-02T00:00:00Z'))), '2024-03-08T00:00:00.000Z');
  });

  it('evaluates in spec.timeZone', () => {
    // 09:00 in Tokyo (UTC+9) is 00:00 UTC
    assert.equal(iso(nextAfter(parseSchedule('0 9 * * *', 'Asia/Tokyo'), at('2024-03-01T01:00:00Z'))), '2024-03-02T00:00:00.000Z');
    // New York across the DST change (2024-03-10): 08:00 local is 13:00 UTC before, 12:00 UTC after
    assert.equal(iso(nextAfter(parseSchedule('0 8 * * *', 'America/New_York'), at('2024-03-09T14:00:00Z'))), '2024-03-10T12:00:00.000Z');
  });

  it('rejects bad schedules and zones with upstream-like messages', () => {
    assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/);
    assert.throws(() => parseSchedule('61 * * * *'), /above maximum/);
    assert.throws(() => parseSchedule('TZ=UTC * * * * *'), /CRON_TZ or TZ used in schedule is not supported/);
    assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), RangeError);
  });
});
