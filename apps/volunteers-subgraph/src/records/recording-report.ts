import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput, Forbidden, NotFound } from '@kz/errors';
import { isBigintId } from '@kz/subgraph';
import { findUnit } from '../units/unit-ref';
import { RECORD_READERS } from './record-statuses';
import { beijingDay, Day, loadWorkCalendar } from './working-days';

/** 办法 Art. 18: how a unit's subtree recorded service in one year. */
export interface RecordingReport {
  year: number;
  /** The Beijing day the year is judged on: its last day, or today while it runs. */
  asOf: Day;
  created: number;
  verified: number;
  rejected: number;
  /** Corrections of minutes made in the year (a record corrected twice counts twice). */
  corrections: number;
  /** Records whose minutes were corrected at least once in the year. */
  correctedRecords: number;
  /** Calendar days from the end of the service to its verification, over the records verified in the year. */
  medianDaysToVerification: number | null;
  /** Verified or rejected in the year after their recording deadline (the 10th working day after the service). */
  decidedLate: number;
  /** Still undecided at the end of a past year although their deadline had passed; for the current year, today. */
  overdue: number;
  /** Years involved whose holiday notice is not in the calendar table (counted Monday to Friday). */
  calendarMissingYears: number[];
  /** Certificates issued in the year by units of the subtree (办法 Arts. 14, 15), whatever their status now. */
  certificatesIssued: number;
  /** Certificates of units of the subtree revoked in the year. */
  certificatesRevoked: number;
}

const FIRST_YEAR = 2000;
/** When a service ended: its activity's end, else its start plus its minutes. */
const ENDED_SQL = `coalesce(a.ends_at, r.started_at + make_interval(mins => r.minutes))`;

const shiftDay = (day: Day, days: number): Day => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
};

/**
 * The annual recording report of a unit's subtree (办法 Art. 18), read from the records and their history
 * (`service_record_change` for rejections and corrections), so a past year reads as it was: a record counts as overdue
 * at the year's end if it was still undecided then, whatever happened to it later. For staff who read records in
 * scope of the unit.
 */
export class RecordingReportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async report(unitId: string, year: number): Promise<RecordingReport> {
    this.actor.requireRole(...RECORD_READERS);
    const today = beijingDay(this.now());
    const thisYear = Number(today.slice(0, 4));
    if (!Number.isInteger(year) || year < FIRST_YEAR || year > thisYear) {
      throw new BadUserInput('year', { key: 'input.outOfRange', min: FIRST_YEAR, max: thisYear });
    }
    const unit = isBigintId(unitId) ? await findUnit(this.dataSource.manager, unitId) : null;
    if (!unit) throw this.actor.hasRole('CENTER_ADMIN') ? new NotFound('PracticeUnit', unitId, '单位') : new Forbidden();
    this.actor.requireScope(unit.path, ...RECORD_READERS);

    const calendar = await loadWorkCalendar(this.dataSource.manager);
    const asOf = year === thisYear ? today : `${year}-12-31`;
    // The year in Beijing time, as instants: [start, end).
    const start = `${year}-01-01T00:00:00+08:00`;
    const end = `${shiftDay(asOf, 1)}T00:00:00+08:00`;
    // Deadlines of every end day that can matter (services ending up to a month before the year decide in it).
    const endDays: Day[] = [];
    for (let day = `${year - 1}-11-01`; day <= asOf; day = shiftDay(day, 1)) endDays.push(day);
    const dueDays = endDays.map((day) => calendar.recordingDueOn(day));
    // A past year: overdue when its deadline (the end of its due day) passed by the end of the year. The current
    // year: when it passed before today, as `overdueServiceRecords` counts.
    const lastOverdueEnd = calendar.lastOverdueEndDay(year === thisYear ? today : shiftDay(asOf, 1));

    const [row] = (await this.dataSource.query(
      `WITH scope AS (
         SELECT r.id, r.created_at, r.verified_at, ${ENDED_SQL} AS ended,
                (SELECT min(c.changed_at) FROM service_record_change c WHERE c.record_id = r.id AND c.action = 'REJECTED') AS rejected_at
         FROM service_record r LEFT JOIN activity a ON a.id = r.activity_id
         WHERE r.unit_path = $1 OR r.unit_path LIKE $1 || '/%'
       ), decisions AS (
         SELECT id, ended, coalesce(verified_at, rejected_at) AS decided_at, verified_at IS NOT NULL AS verified FROM scope
         WHERE coalesce(verified_at, rejected_at) >= $2::timestamptz AND coalesce(verified_at, rejected_at) < $3::timestamptz
       ), deadlines AS (
         SELECT * FROM unnest($4::date[], $5::date[]) AS d(end_day, due_day)
       ), corrections AS (
         SELECT c.record_id FROM service_record_change c JOIN scope s ON s.id = c.record_id
         WHERE c.action = 'CORRECTED' AND c.changed_at >= $2::timestamptz AND c.changed_at < $3::timestamptz
       )
       SELECT
         (SELECT count(*)::int FROM scope WHERE created_at >= $2::timestamptz AND created_at < $3::timestamptz) AS created,
         (SELECT count(*)::int FROM decisions WHERE verified) AS verified,
         (SELECT count(*)::int FROM decisions WHERE NOT verified) AS rejected,
         (SELECT count(*)::int FROM corrections) AS corrections,
         (SELECT count(DISTINCT record_id)::int FROM corrections) AS corrected_records,
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - ended) / 86400) FROM decisions WHERE verified)
           AS median_days,
         (SELECT count(*)::int FROM decisions x JOIN deadlines d ON d.end_day = (x.ended AT TIME ZONE 'Asia/Shanghai')::date
           WHERE (x.decided_at AT TIME ZONE 'Asia/Shanghai')::date > d.due_day) AS decided_late,
         (SELECT count(*)::int FROM scope
           WHERE created_at < $3::timestamptz AND (ended AT TIME ZONE 'Asia/Shanghai')::date <= $6::date
             AND coalesce(verified_at, rejected_at, 'infinity') >= $3::timestamptz) AS overdue,
         (SELECT count(*)::int FROM service_certificate WHERE (unit_path = $1 OR unit_path LIKE $1 || '/%')
           AND issued_at >= $2::timestamptz AND issued_at < $3::timestamptz) AS certificates_issued,
         (SELECT count(*)::int FROM service_certificate WHERE (unit_path = $1 OR unit_path LIKE $1 || '/%')
           AND revoked_at >= $2::timestamptz AND revoked_at < $3::timestamptz) AS certificates_revoked`,
      [unit.path, start, end, endDays, dueDays, lastOverdueEnd],
    )) as {
      created: number;
      verified: number;
      rejected: number;
      corrections: number;
      corrected_records: number;
      median_days: number | null;
      decided_late: number;
      overdue: number;
      certificates_issued: number;
      certificates_revoked: number;
    }[];
    const years = [...new Set([year - 1, year])];
    return {
      year,
      asOf,
      created: row!.created,
      verified: row!.verified,
      rejected: row!.rejected,
      corrections: row!.corrections,
      correctedRecords: row!.corrected_records,
      medianDaysToVerification: row!.median_days === null ? null : Math.round(row!.median_days * 10) / 10,
      decidedLate: row!.decided_late,
      overdue: row!.overdue,
      calendarMissingYears: years.filter((y) => !calendar.covers(y)),
      certificatesIssued: row!.certificates_issued,
      certificatesRevoked: row!.certificates_revoked,
    };
  }
}
