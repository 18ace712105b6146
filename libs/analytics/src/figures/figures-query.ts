import type { Queryable } from './figures-apply';

/** The figures of one local day (Asia/Shanghai) for a unit and its whole subtree. */
export interface DailyFigures {
  /** YYYY-MM-DD. */
  day: string;
  verifiedMinutes: number;
  volunteersActive: number;
  ordersPlaced: number;
  ordersPlacedByCategory: Record<string, number>;
  ordersClosed: number;
  ordersClosedByCategory: Record<string, number>;
  escalations: number;
  pointsEarned: number;
  pointsRedeemed: number;
  pointsTransferred: number;
  careVisitsDone: number;
  careVisitsMissed: number;
}

export const STAGES = ['DISPATCH', 'ACCEPT', 'DELIVER', 'EVALUATE', 'TOTAL'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageTime {
  stage: Stage;
  /** Orders whose stage ended in the range and subtree. */
  orders: number;
  /** Seconds; null when no order finished the stage. */
  median: number | null;
  p90: number | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkRange(from: string, to: string): void {
  if (!DAY.test(from) || !DAY.test(to)) throw new Error(`days are YYYY-MM-DD: from ${from}, to ${to}`);
  if (from > to) throw new Error(`from ${from} is after to ${to}`);
}

/** `unit_path` of the row is the unit's or below it (`x.path`: the unit's path, from the `units` of the query). */
const IN_SUBTREE = (alias: string) => `(${alias}.unit_path = x.path OR ${alias}.unit_path LIKE x.path || '/%')`;

/** The unit's figures for each day of [from, to] (both included), summed over its subtree; days without any are zeros. */
export async function dailyFigures(db: Queryable, unitPath: string, from: string, to: string): Promise<DailyFigures[]> {
  return (await dailyFiguresOf(db, [unitPath], from, to)).get(unitPath)!;
}

/**
 * `dailyFigures` of many units in one statement (the subgraph's loader asks for all the units of an answer at once):
 * by unit path, each path given once.
 */
export async function dailyFiguresOf(db: Queryable, unitPaths: string[], from: string, to: string): Promise<Map<string, DailyFigures[]>> {
  checkRange(from, to);
  const rows = (await db.query(
    `WITH units AS (
       SELECT DISTINCT path FROM unnest($1::text[]) AS u(path)
     ), days AS (
       SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS d
     ), sums AS (
       SELECT x.path, u.day, sum(u.verified_minutes) AS verified_minutes, sum(u.escalations) AS escalations,
              sum(u.points_earned) AS points_earned, sum(u.points_redeemed) AS points_redeemed,
              sum(u.points_transferred) AS points_transferred, sum(u.care_visits_missed) AS care_visits_missed
       FROM units x JOIN figures_unit_day u ON ${IN_SUBTREE('u')} WHERE u.day BETWEEN $2 AND $3 GROUP BY x.path, u.day
     ), volunteers AS (
       SELECT x.path, v.day, count(DISTINCT v.volunteer_id) AS n
       FROM units x JOIN figures_volunteer_day v ON ${IN_SUBTREE('v')} WHERE v.day BETWEEN $2 AND $3 GROUP BY x.path, v.day
     ), orders AS (
       SELECT x.path, m.day, m.moment, coalesce(c.category, 'UNKNOWN') AS category, count(*) AS n
       FROM units x JOIN figures_order_moment m ON ${IN_SUBTREE('m')}
       LEFT JOIN figures_order_category c ON c.order_id = m.order_id
       WHERE m.moment IN ('SUBMITTED', 'CLOSED') AND m.day BETWEEN $2 AND $3
       GROUP BY 1, 2, 3, 4
     ), visits AS (
       SELECT x.path, m.day, count(*) AS n
       FROM units x JOIN figures_order_moment m ON ${IN_SUBTREE('m')} JOIN figures_care_visit cv ON cv.order_id = m.order_id
       WHERE m.moment = 'DELIVERED' AND m.day BETWEEN $2 AND $3 GROUP BY x.path, m.day
     )
     SELECT x.path, to_char(days.day, 'YYYY-MM-DD') AS day,
            coalesce(s.verified_minutes, 0)::float8 AS verified_minutes,
            coalesce(v.n, 0)::float8 AS volunteers_active,
            coalesce(s.escalations, 0)::float8 AS escalations,
            coalesce(s.points_earned, 0)::float8 AS points_earned,
            coalesce(s.points_redeemed, 0)::float8 AS points_redeemed,
            coalesce(s.points_transferred, 0)::float8 AS points_transferred,
            coalesce(cv.n, 0)::float8 AS care_visits_done,
            coalesce(s.care_visits_missed, 0)::float8 AS care_visits_missed,
            (SELECT coalesce(jsonb_object_agg(o.category, o.n ORDER BY o.category), '{}') FROM orders o
             WHERE o.path = x.path AND o.day = days.day AND o.moment = 'SUBMITTED') AS placed,
            (SELECT coalesce(jsonb_object_agg(o.category, o.n ORDER BY o.category), '{}') FROM orders o
             WHERE o.path = x.path AND o.day = days.day AND o.moment = 'CLOSED') AS closed
     FROM units x CROSS JOIN days
     LEFT JOIN sums s ON s.path = x.path AND s.day = days.day
     LEFT JOIN volunteers v ON v.path = x.path AND v.day = days.day
     LEFT JOIN visits cv ON cv.path = x.path AND cv.day = days.day
     ORDER BY x.path, days.day`,
    [unitPaths, from, to],
  )) as {
    path: string;
    day: string;
    verified_minutes: number;
    volunteers_active: number;
    escalations: number;
    points_earned: number;
    points_redeemed: number;
    points_transferred: number;
    care_visits_done: number;
    care_visits_missed: number;
    placed: Record<string, number>;
    closed: Record<string, number>;
  }[];
  // jsonb orders keys by length first; a warehouse diffing exports wants them by name.
  const byName = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const total = (byCategory: Record<string, number>) => Object.values(byCategory).reduce((sum, n) => sum + n, 0);
  const out = new Map<string, DailyFigures[]>(unitPaths.map((path) => [path, []]));
  for (const row of rows) {
    out.get(row.path)!.push({
      day: row.day,
      verifiedMinutes: row.verified_minutes,
      volunteersActive: row.volunteers_active,
      ordersPlaced: total(row.placed),
      ordersPlacedByCategory: byName(row.placed),
      ordersClosed: total(row.closed),
      ordersClosedByCategory: byName(row.closed),
      escalations: row.escalations,
      pointsEarned: row.points_earned,
      pointsRedeemed: row.points_redeemed,
      pointsTransferred: row.points_transferred,
      careVisitsDone: row.care_visits_done,
      careVisitsMissed: row.care_visits_missed,
    });
  }
  return out;
}

/**
 * Median and 90th percentile (continuous, in seconds) of each stage, over the orders of the subtree whose stage ended
 * on a day of [from, to]; every stage is answered, in the order of the six-order method.
 */
export async function stageTimes(db: Queryable, unitPath: string, from: string, to: string): Promise<StageTime[]> {
  return (await stageTimesOf(db, [unitPath], from, to)).get(unitPath)!;
}

/** `stageTimes` of many units in one statement, by unit path. */
export async function stageTimesOf(db: Queryable, unitPaths: string[], from: string, to: string): Promise<Map<string, StageTime[]>> {
  checkRange(from, to);
  const rows = (await db.query(
    `WITH units AS (SELECT DISTINCT path FROM unnest($1::text[]) AS u(path))
     SELECT x.path, t.stage, count(*)::int AS orders,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY t.seconds) AS median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY t.seconds) AS p90
     FROM units x JOIN figures_stage_time t ON ${IN_SUBTREE('t')} WHERE t.day BETWEEN $2 AND $3
     GROUP BY x.path, t.stage`,
    [unitPaths, from, to],
  )) as { path: string; stage: Stage; orders: number; median: number; p90: number }[];
  const byKey = new Map(rows.map((row) => [`${row.path}|${row.stage}`, row]));
  return new Map(
    unitPaths.map((path) => [
      path,
      STAGES.map((stage) => {
        const row = byKey.get(`${path}|${stage}`);
        return { stage, orders: row?.orders ?? 0, median: row?.median ?? null, p90: row?.p90 ?? null };
      }),
    ]),
  );
}
