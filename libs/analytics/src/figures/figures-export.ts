import type { Queryable } from './figures-apply';
import { DailyFigures, dailyFigures } from './figures-query';

export type ExportFormat = 'csv' | 'ndjson';

const COLUMNS: [string, (unit: string, f: DailyFigures) => string | number][] = [
  ['day', (_, f) => f.day],
  ['unit_path', (unit) => unit],
  ['verified_minutes', (_, f) => f.verifiedMinutes],
  ['volunteers_active', (_, f) => f.volunteersActive],
  ['orders_placed', (_, f) => f.ordersPlaced],
  ['orders_closed', (_, f) => f.ordersClosed],
  ['escalations', (_, f) => f.escalations],
  ['points_earned', (_, f) => f.pointsEarned],
  ['points_redeemed', (_, f) => f.pointsRedeemed],
  ['points_transferred', (_, f) => f.pointsTransferred],
  ['care_visits_done', (_, f) => f.careVisitsDone],
  ['care_visits_missed', (_, f) => f.careVisitsMissed],
  ['orders_placed_by_category', (_, f) => JSON.stringify(f.ordersPlacedByCategory)],
  ['orders_closed_by_category', (_, f) => JSON.stringify(f.ordersClosedByCategory)],
];

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The daily figures of a subtree as lines a warehouse loads: CSV (a header, then one row per day, the by-category
 * counts as JSON objects in their own columns, `\n` line ends, UTF-8 without BOM) or NDJSON (one object per day, the
 * fields of `DailyFigures` plus `unitPath`).
 */
export async function exportFigures(db: Queryable, unitPath: string, from: string, to: string, format: ExportFormat): Promise<string[]> {
  const days = await dailyFigures(db, unitPath, from, to);
  if (format === 'ndjson') return days.map((f) => JSON.stringify({ unitPath, ...f }));
  return [COLUMNS.map(([name]) => name).join(','), ...days.map((f) => COLUMNS.map(([, value]) => csvField(value(unitPath, f))).join(','))];
}
