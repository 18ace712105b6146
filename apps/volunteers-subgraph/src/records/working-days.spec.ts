import { beijingDay, WorkCalendar } from './working-days';

/** 2026's National Day as the State Council's notice of 4 November 2025 sets it: 1–7 October off, 20 September and 10 October worked. */
const nationalDay2026 = new WorkCalendar(
  new Map<string, 'HOLIDAY' | 'WORKDAY'>([
    ...['01', '02', '03', '04', '05', '06', '07'].map((day) => [`2026-10-${day}`, 'HOLIDAY'] as [string, 'HOLIDAY']),
    ['2026-09-20', 'WORKDAY'],
    ['2026-10-10', 'WORKDAY'],
  ]),
  new Set([2026]),
);
const weekdaysOnly = new WorkCalendar(new Map(), new Set());

describe('working days of the recording deadline (办法 Art. 11)', () => {
  it('skips statutory holidays and counts make-up working days (调休)', () => {
    expect(nationalDay2026.isWorkingDay('2026-10-01')).toBe(false); // Thursday, a holiday
    expect(nationalDay2026.isWorkingDay('2026-10-10')).toBe(true); // Saturday, worked
    expect(nationalDay2026.isWorkingDay('2026-10-11')).toBe(false); // Sunday
    expect(nationalDay2026.isWorkingDay('2026-10-12')).toBe(true); // Monday
  });

  it('makes an activity ending before the seven-day holiday due on its tenth working day, not its tenth weekday', () => {
    // Ends Wednesday 30 September: the tenth weekday after is 14 October, the tenth working day 20 October.
    expect(weekdaysOnly.recordingDueOn('2026-09-30')).toBe('2026-10-14');
    expect(nationalDay2026.recordingDueOn('2026-09-30')).toBe('2026-10-20');
    expect(nationalDay2026.workingDaysBetween('2026-09-30', '2026-10-20')).toBe(10);
  });

  it('finds the last end day overdue on a day: every service that ended by then, none after', () => {
    // On 21 October the services that ended from 30 September through the holiday are overdue (all due 20 October);
    // on 20 October not yet.
    expect(nationalDay2026.recordingDueOn('2026-10-07')).toBe('2026-10-20');
    expect(nationalDay2026.lastOverdueEndDay('2026-10-21')).toBe('2026-10-07');
    expect(nationalDay2026.lastOverdueEndDay('2026-10-20') < '2026-09-30').toBe(true);
    for (const asOf of ['2026-10-08', '2026-10-15', '2026-10-21', '2026-11-02', '2026-12-25']) {
      const last = nationalDay2026.lastOverdueEndDay(asOf);
      expect(nationalDay2026.recordingDueOn(last) < asOf).toBe(true);
      const next = new Date(`${last}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      expect(nationalDay2026.recordingDueOn(next.toISOString().slice(0, 10)) >= asOf).toBe(true);
    }
  });

  it('reads the Beijing day of an instant', () => {
    expect(beijingDay(new Date('2026-09-30T15:59:59Z'))).toBe('2026-09-30');
    expect(beijingDay(new Date('2026-09-30T16:00:00Z'))).toBe('2026-10-01');
  });
});
