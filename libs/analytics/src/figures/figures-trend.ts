import type { Queryable } from './figures-apply';
import { DailyFigures, dailyFiguresOf } from './figures-query';

/** The figures a trend follows: each a field of `DailyFigures`, summed over the bucket (volunteers: distinct ones). */
export const FIGURE_METRICS = [
  'VERIFIED_MINUTES',
  'VERIFIED_HOURS',
  'VOLUNTEERS_ACTIVE',
  'ORDERS_PLACED',
  'ORDERS_CLOSED',
  'ESCALATIONS',
  'POINTS_EARNED',
  'POINTS_REDEEMED',
  'POINTS_TRANSFERRED',
  'CARE_VISITS_DONE',
  'CARE_VISITS_MISSED',
] as const;
export type FigureMetric = (typeof FIGURE_METRICS)[number];

export const TREND_INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const;
export type TrendInterval = (typeof TREND_INTERVALS)[number];

/** One bucket of a trend: its first and last day within the range asked for, and the metric over those days. */
export interface TrendPoint {
  from: string;
  to: string;
  value: number;
}

type SummedMetric = Exclude<FigureMetric, 'VOLUNTEERS_ACTIVE'>;

const DAILY_VALUE: Record<SummedMetric, (f: DailyFigures) => number> = {
  VERIFIED_MINUTES: (f) => f.verifiedMinutes,
  VERIFIED_HOURS: (f) => f.verifiedMinutes / 60,
  ORDERS_PLACED: (f) => f.ordersPlaced,
  ORDERS_CLOSED: (f) => f.ordersClosed,
  ESCALATIONS: (f) => f.escalations,
  POINTS_EARNED: (f) => f.pointsEarned,
  POINTS_REDEEMED: (f) => f.pointsRedeemed,
  POINTS_TRANSFERRED: (f) => f.pointsTransferred,
  CARE_VISITS_DONE: (f) => f.careVisitsDone,
  CARE_VISITS_MISSED: (f) => f.careVisitsMissed,
};

/** The first day of the bucket a day (`YYYY-MM-DD`) falls in: itself, the Monday of its ISO week, the 1st of its month. */
export function bucketStart(day: string, interval: TrendInterval): string {
  if (interval === 'DAY') return day;
  if (interval === 'MONTH') return `${day.slice(0, 8)}01`;
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

/**
 * One metric of a subtree over [from, to] in buckets of a day, an ISO week (Monday to Sunday) or a calendar month; the
 * first and last buckets are cut to the range. Sums of the daily figures, except VOLUNTEERS_ACTIVE: the distinct
 * volunteers with minutes verified in the bucket (one who served on three days of a week counts once).
 */
export async function figuresTrend(
  db: Queryable,
  unitPath: string,
  metric: FigureMetric,
  from: string,
  to: string,
  interval: TrendInterval,
): Promise<TrendPoint[]> {
  return (await figuresTrendOf(db, [unitPath], metric, from, to, interval)).get(unitPath)!;
}

/** `figuresTrend` of many units in at most two statements, by unit path. */
export async function figuresTrendOf(
  db: Queryable,
  unitPaths: string[],
  metric: FigureMetric,
  from: string,
  to: string,
  interval: TrendInterval,
): Promise<Map<string, TrendPoint[]>> {
  const daily = await dailyFiguresOf(db, unitPaths, from, to);
  const distinct =
    metric === 'VOLUNTEERS_ACTIVE'
      ? new Map(
          (
            (await db.query(
              `WITH units AS (SELECT DISTINCT path FROM unnest($1::text[]) AS u(path))
               SELECT x.path, to_char(date_trunc($4, v.day::timestamp), 'YYYY-MM-DD') AS bucket, count(DISTINCT v.volunteer_id)::int AS n
               FROM units x JOIN figures_volunteer_day v ON (v.unit_path = x.path OR v.unit_path LIKE x.path || '/%')
               WHERE v.day BETWEEN $2 AND $3
               GROUP BY 1, 2`,
              [unitPaths, from, to, interval.toLowerCase()],
            )) as { path: string; bucket: string; n: number }[]
          ).map((row) => [`${row.path}|${row.bucket}`, row.n]),
        )
      : undefined;
  return new Map(
    unitPaths.map((path) => {
      const points: TrendPoint[] = [];
      let start: string | undefined;
      for (const day of daily.get(path)!) {
        const bucket = bucketStart(day.day, interval);
        const value = distinct ? (distinct.get(`${path}|${bucket}`) ?? 0) : DAILY_VALUE[metric as SummedMetric](day);
        const last = points[points.length - 1];
        if (last && bucket === start) {
          last.to = day.day;
          if (!distinct) last.value += value;
        } else {
          points.push({ from: day.day, to: day.day, value });
          start = bucket;
        }
      }
      return [path, points];
    }),
  );
}
