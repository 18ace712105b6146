import type { DailyFigures, FigureMetric, StageTime, TrendInterval } from '@kz/analytics';
import type { AnalyticsContext } from '../context';

interface Reference {
  id: string;
}

interface Range {
  from: string;
  to: string;
}

const byCategory = (counts: Record<string, number>) => Object.entries(counts).map(([category, count]) => ({ category, count }));

export const figuresResolvers = {
  /** Fields this subgraph adds to org's units; they receive only the reference (`{ id }`). */
  PracticeUnit: {
    dailyFigures: (unit: Reference, args: Range, ctx: AnalyticsContext) => ctx.figures.daily(unit.id, args.from, args.to),
    stageTimes: (unit: Reference, args: Range, ctx: AnalyticsContext) => ctx.figures.stageTimes(unit.id, args.from, args.to),
    figuresTrend: (unit: Reference, args: Range & { metric: FigureMetric; interval: TrendInterval }, ctx: AnalyticsContext) =>
      ctx.figures.trend(unit.id, args.metric, args.from, args.to, args.interval),
  },
  DailyFigures: {
    verifiedHours: (day: DailyFigures) => day.verifiedMinutes / 60,
    ordersPlacedByCategory: (day: DailyFigures) => byCategory(day.ordersPlacedByCategory),
    ordersClosedByCategory: (day: DailyFigures) => byCategory(day.ordersClosedByCategory),
  },
  StageTime: {
    count: (time: StageTime) => time.orders,
    medianSeconds: (time: StageTime) => time.median,
    p90Seconds: (time: StageTime) => time.p90,
  },
};
