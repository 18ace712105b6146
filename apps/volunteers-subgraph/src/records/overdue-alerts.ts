import type { DataSource } from 'typeorm';
import { recordEvent } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { beijingDay, loadWorkCalendar } from './working-days';

/**
 * 办法 Art. 11: once per Beijing day, each unit holding pending service records past their recording deadline gets a
 * `volunteer.records.overdue` event (to the notifications queue: its station admins are told). A row of
 * `overdue_record_alert` per unit and day, written in the event's transaction, makes a second run of the day (or a
 * run of another replica at the same time: the key waits for the first to commit) write nothing. Records are counted
 * at their own unit (`PracticeUnit.overdueServiceRecords` of a unit above includes them too). Answers how many units
 * were alerted.
 */
export async function alertOverdueRecords(dataSource: DataSource, now: Date = new Date()): Promise<number> {
  const calendar = await loadWorkCalendar(dataSource.manager);
  const asOf = beijingDay(now);
  const lastEnd = calendar.lastOverdueEndDay(asOf);
  const units: { unit_id: string; unit_path: string; count: number; oldest_end: string }[] = await dataSource.query(
    `SELECT r.unit_id, min(r.unit_path) AS unit_path, count(*)::int AS count,
            to_char(min(e.ended AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS oldest_end
       FROM service_record r LEFT JOIN activity a ON a.id = r.activity_id
       CROSS JOIN LATERAL (SELECT coalesce(a.ends_at, r.started_at + make_interval(mins => r.minutes)) AS ended) e
      WHERE r.status = 'PENDING' AND (e.ended AT TIME ZONE 'Asia/Shanghai')::date <= $1::date
        AND NOT EXISTS (SELECT 1 FROM overdue_record_alert x WHERE x.unit_id = r.unit_id AND x.day = $2::date)
      GROUP BY r.unit_id ORDER BY r.unit_id`,
    [lastEnd, asOf],
  );
  let alerted = 0;
  for (const unit of units) {
    const written = await dataSource.transaction(async (manager) => {
      const claimed: unknown[] = await manager.query(
        `INSERT INTO overdue_record_alert (unit_id, day, count) VALUES ($1, $2::date, $3) ON CONFLICT DO NOTHING RETURNING unit_id`,
        [unit.unit_id, asOf, unit.count],
      );
      if (claimed.length === 0) return false;
      await recordEvent(manager, {
        type: 'volunteer.records.overdue',
        actor: { system: 'volunteers-subgraph' },
        unitPath: unit.unit_path,
        payload: { unitId: String(unit.unit_id), unitPath: unit.unit_path, count: unit.count, oldestDueOn: calendar.recordingDueOn(unit.oldest_end), asOf },
      });
      return true;
    });
    if (written) alerted += 1;
  }
  return alerted;
}

/**
 * Runs `alertOverdueRecords` every `intervalMs` (not at start: a restart does not repeat a day's alerts anyway, and
 * the next period comes soon enough), one run at a time; a failed run is logged and the next period tries again.
 * `wrote` wakes the outbox relay when events were written.
 */
export function startOverdueRecordsCheck(dataSource: DataSource, intervalMs: number, wrote: () => void, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = alertOverdueRecords(dataSource)
      .then((alerted) => {
        if (alerted > 0) {
          wrote();
          log.info({ alerted }, 'units told of overdue service records');
        }
      })
      .catch((error: unknown) => log.warn({ err: (error as Error).message }, 'overdue records check failed; tried again next period'))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
