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

/**
 * A board as SQL: the lines on it (`from` and `where`, over `params`), the value that ranks them (most first) and
 * the id that orders equal values. Both boards build one and read it with the three functions below.
 */
export interface BoardSql {
  query: (sql: string, params: unknown[]) => Promise<unknown>;
  from: string;
  where: string;
  params: unknown[];
  value: string;
  id: string;
  /** Joins that only the page's columns need (names, say): left out of the counts. */
  pageJoins?: string;
}

/** A line as read from a board: its id and value, besides whatever `columns` selected. */
export interface BoardRow {
  id: string;
  value: string | number;
}

/**
 * One page of the board in order (value desc, id), after the keyset `after`, each line with its competition rank:
 * the ranks come from how many lines are above the page's first value and how many share it before the page.
 */
export async function boardPage<Row extends BoardRow>(
  board: BoardSql,
  columns: string,
  limit: number,
  after: { value: number; id: string } | null,
): Promise<{ lines: { row: Row; rank: number }[]; hasNextPage: boolean }> {
  const { from, where, value, id } = board;
  const params = [...board.params];
  const param = (item: unknown) => `$${params.push(item)}`;
  const keyset = after ? ` AND (${value} < ${param(after.value)} OR (${value} = $${params.length} AND ${id} > ${param(after.id)}::bigint))` : '';
  const rows = (await board.query(
    `SELECT ${columns}, ${value} AS value FROM ${from} ${board.pageJoins ?? ''}
      WHERE ${where}${keyset} ORDER BY ${value} DESC, ${id} LIMIT ${param(limit + 1)}`,
    params,
  )) as Row[];
  const visible = rows.slice(0, limit);
  if (visible.length === 0) return { lines: [], hasNextPage: false };
  const first = visible[0]!;
  const n = board.params.length;
  const [counts] = (await board.query(
    `SELECT count(*) FILTER (WHERE ${value} > $${n + 1})::int AS above,
            count(*) FILTER (WHERE ${value} = $${n + 1} AND ${id} < $${n + 2}::bigint)::int AS tied_before
       FROM ${from} WHERE ${where} AND ${value} >= $${n + 1}`,
    [...board.params, first.value, first.id],
  )) as { above: number; tied_before: number }[];
  const ranks = competitionRanks(visible.map((row) => Number(row.value)), counts!.above, counts!.tied_before);
  return { lines: visible.map((row, index) => ({ row, rank: ranks[index]! })), hasNextPage: rows.length > limit };
}

/** How many lines the board has. */
export async function boardCount(board: BoardSql): Promise<number> {
  const [count] = (await board.query(`SELECT count(*)::int AS n FROM ${board.from} WHERE ${board.where}`, board.params)) as { n: number }[];
  return count!.n;
}

/** The competition rank a value has on the board (one more than the lines with more), whether or not it is on it. */
export async function boardRankOf(board: BoardSql, value: number | string): Promise<number> {
  const [above] = (await board.query(`SELECT count(*)::int AS n FROM ${board.from} WHERE ${board.where} AND ${board.value} > $${board.params.length + 1}`, [
    ...board.params,
    value,
  ])) as { n: number }[];
  return above!.n + 1;
}
