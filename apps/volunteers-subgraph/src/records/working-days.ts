import type { EntityManager } from 'typeorm';

/** 办法 Art. 11: a service is recorded within 10 working days of the activity's end. */
export const RECORDING_WORKING_DAYS = 10;

/** A calendar day `YYYY-MM-DD` in Beijing time. */
export type Day = string;

/** The Beijing calendar day of an instant (Asia/Shanghai keeps UTC+8 all year). */
export function beijingDay(at: Date): Day {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function shift(day: Day, days: number): Day {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * Working days as the State Council's notices make them: a statutory holiday is none, a make-up working day (调休)
 * is one whatever its weekday, and any other day is one from Monday to Friday. A year whose notice is not in the
 * table counts Monday to Friday only; `covers` tells which years are known.
 */
export class WorkCalendar {
  constructor(
    private readonly days: ReadonlyMap<Day, 'HOLIDAY' | 'WORKDAY'>,
    private readonly years: ReadonlySet<number>,
  ) {}

  covers(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(day: Day): boolean {
    const kind = this.days.get(day);
    if (kind) return kind === 'WORKDAY';
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The `n`th working day after `day` (not counting `day` itself). */
  addWorkingDays(day: Day, n: number): Day {
    let current = day;
    for (let counted = 0; counted < n; ) {
      current = shift(current, 1);
      if (this.isWorkingDay(current)) counted += 1;
    }
    return current;
  }

  /** The last day a service that ended on `endDay` may still be recorded: its 10th working day after. */
  recordingDueOn(endDay: Day): Day {
    return this.addWorkingDays(endDay, RECORDING_WORKING_DAYS);
  }

  /**
   * The latest end day whose recording is overdue on `asOf` (its due day is before `asOf`): the due day grows with
   * the end day, so every service that ended on or before it is overdue, and none after.
   */
  lastOverdueEndDay(asOf: Day): Day {
    let end = shift(asOf, -RECORDING_WORKING_DAYS);
    while (this.recordingDueOn(end) >= asOf) end = shift(end, -1);
    for (;;) {
      const next = shift(end, 1);
      if (this.recordingDueOn(next) >= asOf) return end;
      end = next;
    }
  }

  /** Working days from `from` (exclusive) to `to` (inclusive); 0 when `to` is not after `from`. */
  workingDaysBetween(from: Day, to: Day): number {
    let count = 0;
    for (let day = shift(from, 1); day <= to; day = shift(day, 1)) if (this.isWorkingDay(day)) count += 1;
    return count;
  }
}

/** The calendar as the database holds it (a few dozen rows: read whole, once per request that needs it). */
export async function loadWorkCalendar(manager: EntityManager): Promise<WorkCalendar> {
  const [days, years]: [{ day: Day; kind: 'HOLIDAY' | 'WORKDAY' }[], { year: number }[]] = await Promise.all([
    manager.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM work_calendar_day`),
    manager.query('SELECT year FROM work_calendar_year'),
  ]);
  return new WorkCalendar(new Map(days.map((row) => [row.day, row.kind])), new Set(years.map((row) => row.year)));
}
