import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, Claims } from '@kz/auth';
import { hydrate, isUniqueViolation } from '@kz/db';
import { BadUserInput, Conflict, Forbidden, InvalidTransition } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import { findUnit } from '../units/unit-ref';
import { CorrectionRequest } from './correction-request.entity';
import type { ServiceRecord } from './record.entity';
import { decideCorrectionInput, requestCorrectionInput } from './record.input';
import type { RecordService } from './record.service';
import { CORRECTION_STATUS_ZH, CorrectionDecision, CorrectionStatus, DECISION_ZH, RECORD_ADMINS } from './record-statuses';

const MINE_CURSOR = 'myCorrectionRequest';
const OPEN_CURSOR = 'openCorrectionRequest';
const OPEN_INDEX = 'service_record_correction_open_idx';

/**
 * Correction requests (办法 Art. 13): a volunteer disputes the minutes of their own verified record, and a staff member
 * who may correct the record (an admin in scope of its unit, as for `correctServiceMinutes`) accepts or declines it,
 * once, with a reason. Accepting corrects the record through `RecordService.applyCorrection`, the path staff
 * corrections take, so the minutes, the volunteer's total and the points move once. Either decision tells the
 * volunteer (`volunteer.record.correction.decided`).
 */
export class CorrectionRequestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly records: RecordService,
    private readonly eventsWritten: () => void,
  ) {}

  /**
   * The signed-in volunteer disputes their own verified record: proposed minutes and a reason. A record of someone
   * else is FORBIDDEN (an unknown one too, except to the center admin); a pending or rejected one INVALID_TRANSITION;
   * the record's own minutes BAD_USER_INPUT; a second open request for the record CONFLICT.
   */
  async request(raw: unknown): Promise<CorrectionRequest> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(requestCorrectionInput, raw);
    const own = await this.records.ownVolunteerId();
    try {
      return await this.dataSource.transaction(async (manager) => {
        // Locked, so the request is judged on the minutes a concurrent correction leaves, and requests queue up.
        const record = await this.records.mustFind(manager, input.recordId, { lock: true });
        if (!own || record.volunteerId !== own) throw new Forbidden();
        this.records.assertAllowed(record.status, 'requestCorrection');
        if (input.minutes === record.minutes) throw new BadUserInput('input.minutes', { key: 'record.sameMinutes', minutes: record.minutes });
        const [open] = await manager.query(`SELECT id::text FROM service_record_correction_request WHERE record_id = $1 AND status = 'OPEN'`, [record.id]);
        if (open) throw new Conflict('input.recordId', open.id, 'record.correctionOpen');
        const [row] = await manager.query(
          `INSERT INTO service_record_correction_request (record_id, volunteer_id, current_minutes, proposed_minutes, reason, requested_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [record.id, record.volunteerId, record.minutes, input.minutes, input.reason, claims.sub],
        );
        await this.records.addHistory(manager, {
          recordId: record.id,
          action: 'CORRECTION_REQUESTED',
          oldMinutes: record.minutes,
          newMinutes: input.minutes,
          reason: input.reason,
          by: claims.sub,
        });
        return hydrate(manager, CorrectionRequest, [row])[0]!;
      });
    } catch (error) {
      // The record lock makes this unreachable between requests; the index still has the last word.
      if (isUniqueViolation(error, OPEN_INDEX)) throw new Conflict('input.recordId', input.recordId, 'record.correctionOpen');
      throw error;
    }
  }

  /**
   * Accepts (`accept`) or declines an open request, with a reason, as an admin in scope of the record's unit. Exactly
   * once: the record, then the request, are locked, so of many staff deciding at the same moment one decides and the
   * others get INVALID_TRANSITION naming the decided state. Nobody decides a request on their own record.
   */
  async decide(raw: unknown, decision: CorrectionDecision): Promise<CorrectionRequest> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(decideCorrectionInput, raw);
    const decided = await this.dataSource.transaction(async (manager) => {
      const [found] = await manager.query('SELECT record_id::text FROM service_record_correction_request WHERE id = $1', [input.requestId]);
      if (!found) throw this.records.hidden('ServiceRecordCorrectionRequest', input.requestId, '更正申请');
      // Record first, then request: the order `request` and `correctServiceMinutes` lock in too.
      const record = await this.records.mustFind(manager, found.record_id, { lock: true });
      this.actor.requireScope(record.unitPath, ...RECORD_ADMINS);
      const [locked] = hydrate(manager, CorrectionRequest, await manager.query('SELECT * FROM service_record_correction_request WHERE id = $1 FOR UPDATE', [input.requestId]));
      const request = locked!;
      if (request.requestedBy === claims.sub) throw new Forbidden();
      if (request.status !== 'OPEN') throw invalidDecision(request.status, decision);
      const minutes = decision === 'accept' ? await this.accept(manager, claims, record, request, input.reason) : await this.decline(manager, claims, record, request, input.reason);
      const [[row]] = await manager.query(
        `UPDATE service_record_correction_request SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
          WHERE id = $1 RETURNING *`,
        [request.id, decision === 'accept' ? 'ACCEPTED' : 'DECLINED', claims.sub, input.reason],
      );
      const [{ person_id: personId }] = await manager.query('SELECT person_id::text FROM volunteer WHERE id = $1', [record.volunteerId]);
      await recordEvent(manager, {
        type: 'volunteer.record.correction.decided',
        actor: { personId: claims.sub, roles: claims.roles },
        unitPath: record.unitPath,
        payload: {
          correctionRequestId: request.id,
          serviceRecordId: record.id,
          volunteerId: record.volunteerId,
          personId,
          decision: decision === 'accept' ? 'ACCEPTED' : 'DECLINED',
          title: record.title,
          oldMinutes: request.currentMinutes,
          proposedMinutes: request.proposedMinutes,
          minutes,
          reason: input.reason,
        },
      });
      return hydrate(manager, CorrectionRequest, [row])[0]!;
    });
    this.eventsWritten();
    return decided;
  }

  /** The signed-in volunteer's requests, newest first; none for a caller without a volunteer profile. */
  async mine(args: PageArgs): Promise<Connection<CorrectionRequest>> {
    this.actor.requireAuthenticated();
    const page = readPage(args, MINE_CURSOR);
    if (page.afterKey && !isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
    const own = await this.records.ownVolunteerId();
    if (!own) return toConnection<CorrectionRequest>([], page, MINE_CURSOR, (row) => row.id, async () => 0);
    const rows = await this.dataSource.query(
      `SELECT * FROM service_record_correction_request WHERE volunteer_id = $1${page.afterKey ? ' AND id < $3::bigint' : ''} ORDER BY id DESC LIMIT $2`,
      [own, page.limit + 1, ...(page.afterKey ? [page.afterKey] : [])],
    );
    return toConnection(hydrate(this.dataSource.manager, CorrectionRequest, rows), page, MINE_CURSOR, (row) => row.id, async () => {
      const [row] = await this.dataSource.query('SELECT count(*)::int AS n FROM service_record_correction_request WHERE volunteer_id = $1', [own]);
      return row.n as number;
    });
  }

  /** The open requests on records of the unit's subtree, oldest first, for the admins who may decide them. */
  async openInUnit(unitId: string, args: PageArgs): Promise<Connection<CorrectionRequest>> {
    this.actor.requireRole(...RECORD_ADMINS);
    const unit = isBigintId(unitId) ? await findUnit(this.dataSource.manager, unitId) : null;
    if (!unit) throw this.records.hidden('PracticeUnit', unitId, '单位');
    this.actor.requireScope(unit.path, ...RECORD_ADMINS);
    const page = readPage(args, OPEN_CURSOR);
    if (page.afterKey && !isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
    const from = `service_record_correction_request c JOIN service_record r ON r.id = c.record_id
      WHERE c.status = 'OPEN' AND (r.unit_path = $1 OR r.unit_path LIKE $1 || '/%')`;
    const rows = await this.dataSource.query(
      `SELECT c.* FROM ${from}${page.afterKey ? ' AND c.id > $3::bigint' : ''} ORDER BY c.id LIMIT $2`,
      [unit.path, page.limit + 1, ...(page.afterKey ? [page.afterKey] : [])],
    );
    return toConnection(hydrate(this.dataSource.manager, CorrectionRequest, rows), page, OPEN_CURSOR, (row) => row.id, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${from}`, [unit.path]);
      return row.n as number;
    });
  }

  /** The record takes the proposed minutes through the one correction path; answers the minutes it has now. */
  private async accept(manager: EntityManager, claims: Claims, record: ServiceRecord, request: CorrectionRequest, reason: string): Promise<number> {
    const corrected = await this.records.applyCorrection(manager, claims, record, request.proposedMinutes, reason);
    return corrected.record.minutes;
  }

  /** The record keeps its minutes; its history says who declined and why. */
  private async decline(manager: EntityManager, claims: Claims, record: ServiceRecord, request: CorrectionRequest, reason: string): Promise<number> {
    await this.records.addHistory(manager, {
      recordId: record.id,
      action: 'CORRECTION_DECLINED',
      oldMinutes: record.minutes,
      newMinutes: request.proposedMinutes,
      reason,
      by: claims.sub,
    });
    return record.minutes;
  }
}

function invalidDecision(from: CorrectionStatus, decision: CorrectionDecision): InvalidTransition {
  const to: CorrectionStatus = decision === 'accept' ? 'ACCEPTED' : 'DECLINED';
  return new InvalidTransition({
    entity: 'correction request',
    entityZh: '更正申请',
    from,
    fromZh: CORRECTION_STATUS_ZH[from],
    event: decision,
    eventZh: DECISION_ZH[decision],
    to,
    toZh: CORRECTION_STATUS_ZH[to],
  });
}
