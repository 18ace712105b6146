import type { DataSource, EntityManager } from 'typeorm';
import { Actor, Claims, maskName, Photos } from '@kz/auth';
import { hydrate } from '@kz/db';
import { BadUserInput, DomainError, Forbidden, InvalidTransition, NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { Conditions, Connection, isBigintId, Page, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import { responsiblePerson } from '../activities/activity.service';
import { enqueueForExchange } from '../exchange/exchange-outbox';
import { findUnit } from '../units/unit-ref';
import { ServiceRecord } from './record.entity';
import { supersedeCertificatesOf } from '../certificates/certificate.service';
import { assertMayReviewHeld, holdOwnUnitStaff, reviewableCondition } from './held-records';
import { attachRecordPhotos } from './record-photos';
import { announceStarEligibility, MinutesChange } from '../recognition/star-eligibility';
import { actorOf } from '../volunteers/volunteer.service';
import { beijingDay, loadWorkCalendar, WorkCalendar } from './working-days';
import {
  activityIdInput,
  correctMinutesInput,
  RecordFilter,
  recordIdInput,
  recordOfflineInput,
  rejectRecordInput,
} from './record.input';
import {
  EVENT_ZH,
  nextStatus,
  RECORD_ADMINS,
  RECORD_READERS,
  RECORD_STATUSES,
  RecordAction,
  RecordEvent,
  RecordStatus,
  STATUS_ZH,
  targetOf,
} from './record-statuses';

const CURSOR_KIND = 'serviceRecord';
const OVERDUE_CURSOR = 'overdueRecord';

/** A pending record past its recording deadline (办法 Art. 11). */
export interface OverdueRecord {
  record: ServiceRecord;
  endedAt: Date;
  /** The last day it could be recorded in time, `YYYY-MM-DD`. */
  dueOn: string;
  /** Working days after `dueOn`, up to and including the day asked about. */
  workingDaysOverdue: number;
}

export type OverdueConnection = Connection<OverdueRecord> & { asOf: string; calendarMissingYears: number[] };

/** The UTC text of a timestamp to the microsecond, so a cursor compares exactly with what Postgres stored. */
const SORT_KEY_SQL = `to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Service hours: who sees which records, and the rules of verifying, rejecting, correcting and recording them. Each
 * change writes its history line, the volunteer's totals and its events in one transaction.
 */
export class RecordService {
  private ownVolunteer: Promise<string | null> | undefined;
  private calendar: Promise<WorkCalendar> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly eventsWritten: () => void,
    private readonly photos: Photos,
  ) {}

  /** A record the caller may see (their own, or in their subtree if staff); null otherwise. */
  async get(id: string): Promise<ServiceRecord | null> {
    this.actor.requireAuthenticated();
    if (!isBigintId(id)) return null;
    const record = await this.loaders.serviceRecordById.load(id);
    return record && (await this.canSee(record)) ? record : null;
  }

  /**
   * The 活动负责人's name as it was when the record was made: in clear for staff in scope of the record and for the
   * 负责人 themself, masked (张*) for the volunteer, who reads the record but not other people's names.
   */
  responsibleName(record: ServiceRecord): string | null {
    if (!record.responsibleName) return null;
    if (this.actor.inScope(record.unitPath, RECORD_READERS) || this.actor.personId === record.responsiblePersonId) return record.responsibleName;
    return maskName(record.responsibleName);
  }

  /**
   * 办法 Art. 11: the pending records of the unit's subtree whose recording deadline (the 10th working day after the
   * service ended, `WorkCalendar`) passed before `asOf` (Beijing day; today by default), oldest record first. For
   * staff who read records in scope of the unit.
   */
  async overdue(unitId: string, asOf: Date | null | undefined, args: PageArgs): Promise<OverdueConnection> {
    this.actor.requireRole(...RECORD_READERS);
    const unit = isBigintId(unitId) ? await findUnit(this.dataSource.manager, unitId) : null;
    if (!unit) throw this.hidden('PracticeUnit', unitId, '单位');
    this.actor.requireScope(unit.path, ...RECORD_READERS);
    const page = readPage(args, OVERDUE_CURSOR);
    if (page.afterKey && !isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
    this.calendar ??= loadWorkCalendar(this.dataSource.manager);
    const calendar = await this.calendar;
    const asOfDay = beijingDay(asOf ?? new Date());
    const lastEnd = calendar.lastOverdueEndDay(asOfDay);
    const where = `r.status = 'PENDING' AND (r.unit_path = $1 OR r.unit_path LIKE $1 || '/%') AND (e.ended AT TIME ZONE 'Asia/Shanghai')::date <= $2::date`;
    const from = `service_record r LEFT JOIN activity a ON a.id = r.activity_id
      CROSS JOIN LATERAL (SELECT coalesce(a.ends_at, r.started_at + make_interval(mins => r.minutes)) AS ended) e`;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.*, e.ended, to_char(e.ended AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS end_day FROM ${from}
        WHERE ${where}${page.afterKey ? ' AND r.id > $4::bigint' : ''} ORDER BY r.id LIMIT $3`,
      [unit.path, lastEnd, page.limit + 1, ...(page.afterKey ? [page.afterKey] : [])],
    );
    const records = hydrate(this.dataSource.manager, ServiceRecord, rows);
    const items = records.map((record, index) => {
      const dueOn = calendar.recordingDueOn(String(rows[index]!.end_day));
      return { record, endedAt: rows[index]!.ended as Date, dueOn, workingDaysOverdue: calendar.workingDaysBetween(dueOn, asOfDay) };
    });
    const years = [...new Set([Number(lastEnd.slice(0, 4)), Number(asOfDay.slice(0, 4))])];
    return {
      ...toConnection(items, page, OVERDUE_CURSOR, (item) => item.record.id, async () => {
        const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, [unit.path, lastEnd]);
        return row.n as number;
      }),
      asOf: asOfDay,
      calendarMissingYears: years.filter((year) => !calendar.covers(year)).sort(),
    };
  }

  /**
   * The last day the record may be recorded in time (办法 Art. 11): the 10th working day after the service ended (its
   * activity's end, else its start plus its minutes), `YYYY-MM-DD` in Beijing time.
   */
  async recordingDueOn(record: ServiceRecord): Promise<string> {
    const activity = record.activityId ? await this.loaders.activityById.load(record.activityId) : null;
    const ended = activity?.endsAt ?? new Date(new Date(record.startedAt).getTime() + record.minutes * 60_000);
    this.calendar ??= loadWorkCalendar(this.dataSource.manager);
    return (await this.calendar).recordingDueOn(beijingDay(new Date(ended)));
  }

  /** Records matching the filter among those the caller may see, newest service first. */
  async list(filter: RecordFilter | null | undefined, args: PageArgs): Promise<Connection<ServiceRecord>> {
    const claims = this.actor.requireAuthenticated();
    const page = readPage(args, CURSOR_KIND);
    const conditions = new Conditions();
    const visible = await this.visibility(claims, conditions);
    if (!visible) return toConnection<ServiceRecord>([], page, CURSOR_KIND, (row) => row.id, async () => 0);
    conditions.add(visible);
    await this.applyFilter(filter ?? {}, conditions);

    const counted = { where: conditions.where, params: [...conditions.params] };
    this.applyCursor(page, conditions);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.*, ${SORT_KEY_SQL} AS sort_key FROM service_record r ${conditions.where}
        ORDER BY r.started_at DESC, r.id DESC LIMIT ${conditions.param(page.limit + 1)}`,
      conditions.params,
    );
    const records = hydrate(this.dataSource.manager, ServiceRecord, rows);
    const sortKeys = new Map(records.map((record, index) => [record, `${rows[index]!.sort_key}|${record.id}`]));
    for (const record of records) this.loaders.serviceRecordById.prime(record.id, record);
    return toConnection(records, page, CURSOR_KIND, (record) => sortKeys.get(record)!, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM service_record r ${counted.where}`, counted.params);
      return row.n;
    });
  }

  /** A station admin in scope verifies a pending record: once, however many try at the same moment. */
  async verify(raw: unknown): Promise<ServiceRecord> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(recordIdInput, raw);
    const [record] = await this.dataSource.transaction(async (manager) => {
      const current = await this.mustFind(manager, input.recordId);
      this.actor.requireScope(current.unitPath, ...RECORD_ADMINS);
      this.assertAllowed(current.status, 'verify');
      await assertMayReviewHeld(manager, this.actor, current);
      const verified = await this.verifyPending(manager, claims, 'id = $2', [current.id]);
      if (verified.length === 0) {
        // Someone else verified or rejected it between our read and our update; their change stands.
        const [now] = await manager.query('SELECT status FROM service_record WHERE id = $1', [current.id]);
        throw this.invalidTransition(now.status, 'verify');
      }
      return verified;
    });
    this.eventsWritten();
    return record!;
  }

  /**
   * Verifies every pending record of an activity organized in the caller's subtree, except held records the caller
   * may not review; returns those it verified.
   */
  async verifyActivity(raw: unknown): Promise<ServiceRecord[]> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(activityIdInput, raw);
    const records = await this.dataSource.transaction(async (manager) => {
      const [activity] = await manager.query('SELECT organizing_unit_path AS path FROM activity WHERE id = $1', [input.activityId]);
      if (!activity) throw this.hidden('Activity', input.activityId, '活动');
      this.actor.requireScope(activity.path, ...RECORD_ADMINS);
      // Held records the caller may not review stay pending, for staff of a unit above (条例 Art. 19).
      const params: unknown[] = [input.activityId];
      const reviewable = reviewableCondition(this.actor, (value) => `$${params.push(value) + 1}`);
      return this.verifyPending(manager, claims, `activity_id = $2 AND ${reviewable}`, params);
    });
    if (records.length > 0) this.eventsWritten();
    return records;
  }

  /** Rejects a pending record, with a reason. */
  async reject(raw: unknown): Promise<ServiceRecord> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(rejectRecordInput, raw);
    const record = await this.dataSource.transaction(async (manager) => {
      const current = await this.mustFind(manager, input.recordId, { lock: true });
      this.actor.requireScope(current.unitPath, ...RECORD_ADMINS);
      this.assertAllowed(current.status, 'reject');
      await assertMayReviewHeld(manager, this.actor, current);
      // An UPDATE answers [rows, count].
      const [[row]] = await manager.query(
        `UPDATE service_record SET status = 'REJECTED', reject_reason = $2, verified_by = $3, verified_at = now(), updated_at = now()
          WHERE id = $1 RETURNING *`,
        [current.id, input.reason, claims.sub],
      );
      await this.addHistory(manager, { recordId: current.id, action: 'REJECTED', reason: input.reason, by: claims.sub });
      return hydrate(manager, ServiceRecord, [row])[0]!;
    });
    return record;
  }

  /**
   * Corrects the minutes of a pending or verified record, with a reason. A verified record moves the volunteer's
   * total by the difference and tells the points service (`volunteer.hours.corrected`); a rejected one is final.
   */
  async correct(raw: unknown): Promise<ServiceRecord> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(correctMinutesInput, raw);
    let wroteEvent = false;
    const record = await this.dataSource.transaction(async (manager) => {
      const current = await this.mustFind(manager, input.recordId, { lock: true });
      this.actor.requireScope(current.unitPath, ...RECORD_ADMINS);
      await assertMayReviewHeld(manager, this.actor, current);
      const corrected = await this.applyCorrection(manager, claims, current, input.minutes, input.reason);
      wroteEvent = corrected.wroteEvent;
      return corrected.record;
    });
    if (wroteEvent) this.eventsWritten();
    return record;
  }

  /**
   * The one correction path, in the caller's transaction, on a record the caller has locked and checked the scope
   * of: the new minutes, a `CORRECTED` history line by `claims.sub`, and for a verified record the volunteer's total
   * moved by the difference, `volunteer.hours.corrected` in the outbox (the points service credits or debits it) and
   * its exchange outbox row due again (exchange/exchange-outbox.ts), and the valid certificates listing it superseded. `correctServiceMinutes` and an accepted correction request both come through here.
   */
  async applyCorrection(
    manager: EntityManager,
    claims: Claims,
    current: ServiceRecord,
    minutes: number,
    reason: string,
  ): Promise<{ record: ServiceRecord; wroteEvent: boolean }> {
    this.assertAllowed(current.status, 'correct');
    const [[row]] = await manager.query('UPDATE service_record SET minutes = $2, updated_at = now() WHERE id = $1 RETURNING *', [current.id, minutes]);
    await this.addHistory(manager, { recordId: current.id, action: 'CORRECTED', oldMinutes: current.minutes, newMinutes: minutes, reason, by: claims.sub });
    const delta = minutes - current.minutes;
    let wroteEvent = false;
    if (current.status === 'VERIFIED' && delta !== 0) {
      const [[total]] = await manager.query(
        'UPDATE volunteer SET verified_minutes = verified_minutes + $2, updated_at = now() WHERE id = $1 RETURNING verified_minutes',
        [current.volunteerId, delta],
      );
      const after = Number(total.verified_minutes);
      await announceStarEligibility(manager, actorOf(claims), [{ volunteerId: current.volunteerId, before: after - delta, after }]);
      // Who and what kind, so the points service can credit a correction from 0 minutes without a lookup.
      const [{ person_id: personId }] = await manager.query('SELECT person_id::text FROM volunteer WHERE id = $1', [current.volunteerId]);
      await recordEvent(manager, {
        type: 'volunteer.hours.corrected',
        actor: actorOf(claims),
        unitPath: current.unitPath,
        payload: {
          serviceRecordId: current.id,
          volunteerId: current.volunteerId,
          personId,
          category: current.category,
          oldMinutes: current.minutes,
          newMinutes: minutes,
          reason,
        },
      });
      await enqueueForExchange(manager, [current.id]);
      await supersedeCertificatesOf(manager, current.id);
      wroteEvent = true;
    }
    return { record: hydrate(manager, ServiceRecord, [row])[0]!, wroteEvent };
  }

  /** Staff record service at an offline activity, with evidence: a pending record like any other. */
  async recordOffline(raw: unknown): Promise<ServiceRecord> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(recordOfflineInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const unit = await findUnit(manager, input.unitId);
      if (!unit) throw new BadUserInput('input.unitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: input.unitId });
      this.actor.requireScope(unit.path, ...RECORD_ADMINS);
      const [volunteer] = await manager.query('SELECT home_station_path AS path FROM volunteer WHERE id = $1', [input.volunteerId]);
      if (!volunteer) {
        if (!this.actor.hasRole('CENTER_ADMIN')) throw new Forbidden();
        throw new BadUserInput('input.volunteerId', { key: 'input.unknownReference', entity: 'volunteer', entityZh: '志愿者', id: input.volunteerId });
      }
      // A volunteer without a home station belongs to no subtree: only the center admin reaches them.
      if (volunteer.path) this.actor.requireScope(volunteer.path, ...RECORD_ADMINS);
      else this.actor.requireRole('CENTER_ADMIN');
      const [category] = await manager.query('SELECT code FROM activity_category WHERE code = $1', [input.category]);
      if (!category) {
        throw new BadUserInput('input.category', { key: 'input.unknownReference', entity: 'category', entityZh: '活动类别', id: input.category });
      }
      const photos = this.photos.tickets(input.photoIds, claims.sub, 'input.photoIds');
      const responsible = input.responsiblePersonId
        ? await responsiblePerson(manager, input.responsiblePersonId, 'input.responsiblePersonId')
        : await responsiblePerson(manager, claims.sub, null);
      const [row] = await manager.query(
        `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, source, evidence, created_by,
                                     place, content, responsible_person_id, responsible_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'OFFLINE', $8, $9, $10, $11, $12, $13) RETURNING *`,
        [
          input.volunteerId,
          unit.id,
          unit.path,
          input.category,
          input.title,
          input.startedAt,
          input.minutes,
          input.evidence,
          claims.sub,
          input.place,
          input.content,
          responsible?.id ?? null,
          responsible?.name ?? null,
        ],
      );
      await this.addHistory(manager, { recordId: String(row.id), action: 'CREATED', newMinutes: input.minutes, by: claims.sub });
      await attachRecordPhotos(manager, { id: String(row.id), unitPath: unit.path }, photos, actorOf(claims), 'input.photoIds');
      await holdOwnUnitStaff(manager, [String(row.id)]);
      return this.mustFind(manager, String(row.id));
    });
  }

  /**
   * Verifies the pending records matching `condition` (parameters from `$2`): the status changes only where it is
   * still PENDING, so concurrent attempts verify each record once, and the same statement writes the history lines.
   * Then each volunteer's totals gain the minutes and one service per record, and each record with minutes emits
   * `volunteer.hours.verified` into the outbox, and each record is queued for exchange, all in the caller's
   * transaction.
   */
  private async verifyPending(manager: EntityManager, claims: Claims, condition: string, params: unknown[]): Promise<ServiceRecord[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `WITH verified AS (
         UPDATE service_record r SET status = 'VERIFIED', verified_by = $1, verified_at = now(), updated_at = now()
          WHERE status = 'PENDING' AND ${condition}
          RETURNING *
       ), history AS (
         INSERT INTO service_record_change (record_id, action, new_minutes, changed_by)
         SELECT id, 'VERIFIED', minutes, $1 FROM verified
       )
       SELECT verified.*, v.person_id::text AS volunteer_person_id, v.home_station_id::text AS volunteer_home_id,
              v.home_station_path AS volunteer_home_path
         FROM verified JOIN volunteer v ON v.id = verified.volunteer_id
        ORDER BY verified.id`,
      [claims.sub, ...params],
    );
    const records = hydrate(manager, ServiceRecord, rows);
    await announceStarEligibility(manager, actorOf(claims), await this.addToTotals(manager, records));
    await enqueueForExchange(manager, records.map((record) => record.id));
    for (const [index, record] of records.entries()) {
      if (record.minutes <= 0) continue; // nothing to credit
      await recordEvent(manager, {
        type: 'volunteer.hours.verified',
        actor: actorOf(claims),
        unitPath: record.unitPath,
        payload: {
          serviceRecordId: record.id,
          volunteerId: record.volunteerId,
          personId: String(rows[index]!.volunteer_person_id),
          minutes: record.minutes,
          category: record.category,
          ...(record.activityId ? { activityId: record.activityId } : {}),
          ...(record.orderId ? { orderId: record.orderId } : {}),
          verifiedBy: claims.sub,
          startedAt: new Date(record.startedAt).toISOString(),
          ...(rows[index]!.volunteer_home_id
            ? { homeStationId: String(rows[index]!.volunteer_home_id), homeStationPath: String(rows[index]!.volunteer_home_path) }
            : {}),
        },
      });
    }
    return records;
  }

  /**
   * Adds verified records to their volunteers' totals. Volunteers are locked in id order first, so two bulk
   * verifications sharing volunteers wait for each other instead of deadlocking.
   */
  private async addToTotals(manager: EntityManager, records: ServiceRecord[]): Promise<MinutesChange[]> {
    const totals = new Map<string, { minutes: number; services: number }>();
    for (const record of records) {
      const total = totals.get(record.volunteerId) ?? { minutes: 0, services: 0 };
      totals.set(record.volunteerId, { minutes: total.minutes + record.minutes, services: total.services + 1 });
    }
    if (totals.size === 0) return [];
    const ids = [...totals.keys()];
    if (ids.length > 1) await manager.query('SELECT id FROM volunteer WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids]);
    const [rows]: [{ id: string; after: number; added: number }[]] = await manager.query(
      `UPDATE volunteer v
          SET verified_minutes = v.verified_minutes + t.minutes, service_count = v.service_count + t.services, updated_at = now()
         FROM unnest($1::bigint[], $2::int[], $3::int[]) AS t(id, minutes, services)
        WHERE v.id = t.id
        RETURNING v.id::text, v.verified_minutes AS after, t.minutes AS added`,
      [ids, ids.map((id) => totals.get(id)!.minutes), ids.map((id) => totals.get(id)!.services)],
    );
    return rows.map((row) => ({ volunteerId: row.id, before: Number(row.after) - Number(row.added), after: Number(row.after) }));
  }

  /** Adds one line to a record's history, in the caller's transaction. */
  async addHistory(
    manager: EntityManager,
    change: { recordId: string; action: RecordAction; oldMinutes?: number; newMinutes?: number; reason?: string; by: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO service_record_change (record_id, action, old_minutes, new_minutes, reason, changed_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [change.recordId, change.action, change.oldMinutes ?? null, change.newMinutes ?? null, change.reason ?? null, change.by],
    );
  }

  /** The record, read (and with `lock`, locked) in the transaction; a missing one looks like one out of scope. */
  async mustFind(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<ServiceRecord> {
    const rows = await manager.query(`SELECT * FROM service_record WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    const [record] = hydrate(manager, ServiceRecord, rows);
    if (!record) throw this.hidden('ServiceRecord', id, '服务记录');
    return record;
  }

  /**
   * What a caller learns about an id that matches nothing: the center admin, in scope everywhere, hears NOT_FOUND;
   * anyone else FORBIDDEN, the same answer as for a record outside their subtree (`ROLES.md`: no hint of existence).
   */
  hidden(entity: string, id: string, entityZh: string): DomainError {
    return this.actor.hasRole('CENTER_ADMIN') ? new NotFound(entity, id, entityZh) : new Forbidden();
  }

  assertAllowed(from: RecordStatus, event: RecordEvent): void {
    if (!nextStatus(from, event)) throw this.invalidTransition(from, event);
  }

  private invalidTransition(from: RecordStatus, event: RecordEvent): InvalidTransition {
    const to = targetOf(event);
    return new InvalidTransition({
      entity: 'service record',
      entityZh: '服务记录',
      from,
      fromZh: STATUS_ZH[from],
      event,
      eventZh: EVENT_ZH[event],
      ...(to ? { to, toZh: STATUS_ZH[to] } : {}),
    });
  }

  private async canSee(record: ServiceRecord): Promise<boolean> {
    if (this.actor.inScope(record.unitPath, RECORD_READERS)) return true;
    return record.volunteerId === (await this.ownVolunteerId());
  }

  /** The caller's own volunteer profile, looked up once per request. */
  ownVolunteerId(): Promise<string | null> {
    const personId = this.actor.personId;
    if (!personId || !isBigintId(personId)) return Promise.resolve(null);
    this.ownVolunteer ??= this.dataSource
      .query('SELECT id::text FROM volunteer WHERE person_id = $1', [personId])
      .then((rows: { id: string }[]) => rows[0]?.id ?? null);
    return this.ownVolunteer;
  }

  /** The SQL condition of what the caller may see: their subtree if staff, their own records; null for nothing. */
  private async visibility(claims: Claims, conditions: Conditions): Promise<string | null> {
    const parts: string[] = [];
    if (this.actor.hasRole('CENTER_ADMIN')) return 'true';
    if (this.actor.hasRole(...RECORD_READERS) && claims.unitPath) {
      const path = conditions.param(claims.unitPath);
      parts.push(`(r.unit_path = ${path} OR r.unit_path LIKE ${path} || '/%')`);
    }
    const own = await this.ownVolunteerId();
    if (own) parts.push(`r.volunteer_id = ${conditions.param(own)}`);
    return parts.length ? `(${parts.join(' OR ')})` : null;
  }

  private async applyFilter(filter: RecordFilter, conditions: Conditions): Promise<void> {
    const id = (value: string) => (isBigintId(value) ? conditions.param(value) : 'NULL');
    if (filter.volunteerId) conditions.add(`r.volunteer_id = ${id(filter.volunteerId)}`);
    if (filter.activityId) conditions.add(`r.activity_id = ${id(filter.activityId)}`);
    if (filter.status && (RECORD_STATUSES as readonly string[]).includes(filter.status)) {
      conditions.add(`r.status = ${conditions.param(filter.status)}`);
    }
    if (filter.withinUnitId) {
      const unit = isBigintId(filter.withinUnitId) ? await findUnit(this.dataSource.manager, filter.withinUnitId) : null;
      if (!unit) conditions.add('false');
      else {
        const path = conditions.param(unit.path);
        conditions.add(`(r.unit_path = ${path} OR r.unit_path LIKE ${path} || '/%')`);
      }
    }
    if (filter.from) conditions.add(`r.started_at >= ${conditions.param(filter.from)}`);
    if (filter.to) conditions.add(`r.started_at < ${conditions.param(filter.to)}`);
    if (filter.heldForReview === true) conditions.add('r.held_reason IS NOT NULL');
    if (filter.heldForReview === false) conditions.add('r.held_reason IS NULL');
  }

  private applyCursor(page: Page, conditions: Conditions): void {
    if (!page.afterKey) return;
    const [sortKey, id] = page.afterKey.split('|');
    if (!sortKey || !id || !isBigintId(id) || Number.isNaN(Date.parse(sortKey))) throw new BadUserInput('after', { key: 'input.cursor' });
    conditions.add(`(r.started_at, r.id) < (${conditions.param(sortKey)}::timestamptz, ${conditions.param(id)}::bigint)`);
  }
}
