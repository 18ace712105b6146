import type { EntityManager } from 'typeorm';
import { CALENDAR_PERIODS, periodStartSql } from '@kz/subgraph';

/**
 * Verified minutes per volunteer per Beijing calendar period (`volunteer_period_minutes`): the week from Monday, the
 * month and the year the service started in. The leaderboards read it, so a period's board does not sum every record
 * of the district per request. Kept in the transaction that verifies or corrects a record (`RecordService`), as
 * `volunteer.verified_minutes` (the all-time total) is; `rebuildPeriodMinutes` recomputes it from the records.
 */
export const RANKED_PERIODS = CALENDAR_PERIODS;

/**
 * Adds `minutes` (negative for a correction that lowers them) of service started at `startedAt` to the volunteer's
 * week, month and year, in the caller's transaction. One statement per call, rows in key order so concurrent
 * verifications sharing volunteers take the row locks in the same order.
 */
export async function addPeriodMinutes(
  manager: EntityManager,
  changes: { volunteerId: string; startedAt: Date | string; minutes: number }[],
): Promise<void> {
  const moving = changes.filter((change) => change.minutes !== 0);
  if (moving.length === 0) return;
  const selects = RANKED_PERIODS.map(
    (period) => `SELECT '${period}'::text AS period, ${periodStartSql(period, 'c.started_at')} AS starts_on, c.volunteer_id, c.minutes FROM c`,
  ).join(' UNION ALL ');
  await manager.query(
    `WITH c AS (
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::int[]) AS x(volunteer_id, started_at, minutes)
     ), d AS (
       SELECT period, starts_on, volunteer_id, sum(minutes)::int AS minutes FROM (${selects}) p GROUP BY 1, 2, 3
     )
     INSERT INTO volunteer_period_minutes AS m (period, starts_on, volunteer_id, minutes)
     SELECT period, starts_on, volunteer_id, minutes FROM d ORDER BY period, starts_on, volunteer_id
     ON CONFLICT (period, starts_on, volunteer_id) DO UPDATE SET minutes = m.minutes + EXCLUDED.minutes`,
    [moving.map((change) => change.volunteerId), moving.map((change) => new Date(change.startedAt).toISOString()), moving.map((change) => change.minutes)],
  );
}

/** Recomputes every period's minutes from the verified records (the migration's backfill and the bulk seed). */
export async function rebuildPeriodMinutes(manager: EntityManager): Promise<void> {
  await manager.query('DELETE FROM volunteer_period_minutes');
  for (const period of RANKED_PERIODS) {
    await manager.query(
      `INSERT INTO volunteer_period_minutes (period, starts_on, volunteer_id, minutes)
       SELECT '${period}', ${periodStartSql(period, 'r.started_at')}, r.volunteer_id, sum(r.minutes)::int
         FROM service_record r WHERE r.status = 'VERIFIED'
        GROUP BY 2, 3 HAVING sum(r.minutes) > 0`,
    );
  }
}
