import { BadUserInput } from '@kz/errors';

/**
 * What the leaderboards of both boards share (时长排行 in volunteers, 积分排行 in points; docs/api.md "Leaderboards"):
 * the periods on the Beijing calendar, the `on` day that picks a past period, keyset cursors on (value, id), and
 * competition ranks (1, 2, 2, 4) for a page.
 */
export const LEADERBOARD_PERIODS = ['WEEK', 'MONTH', 'YEAR', 'ALL_TIME'] as const;
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];
export type CalendarPeriod = Exclude<LeaderboardPeriod, 'ALL_TIME'>;
export const CALENDAR_PERIODS: CalendarPeriod[] = ['WEEK', 'MONTH', 'YEAR'];

/** `date_trunc`'s unit of each period; its weeks start on Monday (ISO), as the Chinese calendar week does. */
const PERIOD_UNITS: Record<CalendarPeriod, string> = { WEEK: 'week', MONTH: 'month', YEAR: 'year' };

/** SQL: the first Beijing day of the period holding instant `at` (a timestamptz expression). */
export function periodStartSql(period: CalendarPeriod, at: string): string {
  return `date_trunc('${PERIOD_UNITS[period]}', (${at}) AT TIME ZONE 'Asia/Shanghai')::date`;
}

/**
 * The first day (`YYYY-MM-DD`) of the period holding the Beijing calendar day `day` (`YYYY-MM-DD`), or, without one,
 * the Beijing day of instant `now`: the same days as `periodStartSql`, worked out without a round trip.
 */
export function periodStart(period: CalendarPeriod, day: string | null, now: Date = new Date()): string {
  // A Beijing wall-clock day read with the UTC getters (Beijing keeps UTC+8 all year).
  const date = day ? new Date(`${day}T00:00:00Z`) : new Date(now.getTime() + 8 * 3_600_000);
  const [year, month, date0] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  const start =
    period === 'YEAR'
      ? new Date(Date.UTC(year, 0, 1))
      : period === 'MONTH'
        ? new Date(Date.UTC(year, month, 1))
        : new Date(Date.UTC(year, month, date0 - ((date.getUTCDay() + 6) % 7))); // back to Monday
  return start.toISOString().slice(0, 10);
}

/** Checks the `period` argument (GraphQL already does; services are also called directly). */
export function leaderboardPeriod(period: string): LeaderboardPeriod {
  if (!(LEADERBOARD_PERIODS as readonly string[]).includes(period)) {
    throw new BadUserInput('period', { key: 'input.invalid', detail: `one of ${LEADERBOARD_PERIODS.join(', ')}` });
  }
  return period as LeaderboardPeriod;
}

/** A Beijing calendar day `YYYY-MM-DD` that exists, from 2000 on; anything else is BAD_USER_INPUT on `on`. */
export function leaderboardDay(on: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(on);
  const date = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== on || date.getUTCFullYear() < 2000) {
    throw new BadUserInput('on', { key: 'input.invalid', detail: 'a day YYYY-MM-DD from 2000 on' });
  }
  return on;
}

/** The keyset `value:id` of a board's cursor; anything else is a cursor of another list. */
export function leaderboardKey(key: string): { value: number; id: string } {
  const match = /^(\d{1,15}):([1-9]\d{0,18})$/.exec(key);
  if (!match) throw new BadUserInput('after', { key: 'input.cursor' });
  return { value: Number(match[1]), id: match[2]! };
}

/**
 * Competition ranks of a page in board order (value desc, id): `above` lines on the board have more than the page's
 * first value, and `tiedBefore` share it but come before the page. A line's rank is one more than the lines with
 * more, so a tie keeps its rank across pages.
 */
export function competitionRanks(values: number[], above: number, tiedBefore: number): number[] {
  const ranks: number[] = [];
  values.forEach((value, index) => {
    if (index === 0) ranks.push(above + 1);
    else if (value === values[index - 1]) ranks.push(ranks[index - 1]!);
    else ranks.push(above + tiedBefore + index + 1);
  });
  return ranks;
}
