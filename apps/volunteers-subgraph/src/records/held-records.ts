import type { EntityManager } from 'typeorm';
import { Actor, STAFF_ROLES } from '@kz/auth';
import { DomainError } from '@kz/errors';
import type { ServiceRecord } from './record.entity';

/**
 * Not volunteer service (条例 Art. 19): serving one's own unit in a staff role is the job, not volunteering, so such
 * a record is not recorded as plain service but held for review by staff of a unit above (docs/records.md).
 */
export const HELD_REASONS = ['OWN_UNIT_STAFF'] as const;
export type HeldReason = (typeof HELD_REASONS)[number];

/** A held record decided by someone who may not review it: the person themself, or staff not above their unit. */
export class RecordHeldForReview extends DomainError<'FORBIDDEN'> {
  constructor(heldReason: HeldReason) {
    super('FORBIDDEN', 'record.heldForReview', { heldReason });
  }
}

/**
 * Holds, in the caller's transaction, those of the records just made whose volunteer is staff (a role of
 * `STAFF_ROLES` with a staff unit) of the record's unit or of a unit above it: `held_reason = OWN_UNIT_STAFF`, with
 * the staff unit as it is now. Every writer of records (check-out, offline, order) calls it. Returns the held ids.
 */
export async function holdOwnUnitStaff(manager: EntityManager, recordIds: string[]): Promise<string[]> {
  if (recordIds.length === 0) return [];
  const rows: { id: string }[] = await manager.query(
    `UPDATE service_record r SET held_reason = 'OWN_UNIT_STAFF', held_staff_path = p.staff_unit_path
       FROM volunteer v JOIN person p ON p.id = v.person_id
      WHERE r.id = ANY($1::bigint[]) AND v.id = r.volunteer_id
        AND p.staff_unit_path IS NOT NULL AND p.roles && $2::text[]
        AND (r.unit_path = p.staff_unit_path OR starts_with(r.unit_path, p.staff_unit_path || '/'))
      RETURNING r.id::text`,
    [recordIds, STAFF_ROLES],
  );
  return rows.map((row) => row.id);
}

/**
 * Who may decide (verify, reject, correct) a held pending record: never the person it is of; the center admin (no
 * unit is above the center); any other admin only from a unit strictly above the staff unit the person held when
 * the record was made. A record that is not held, or no longer pending, is not restricted here.
 */
export async function assertMayReviewHeld(manager: EntityManager, actor: Actor, record: ServiceRecord): Promise<void> {
  if (!record.heldReason || record.status !== 'PENDING') return;
  const [{ person_id: personId }] = await manager.query('SELECT person_id::text FROM volunteer WHERE id = $1', [record.volunteerId]);
  if (personId === actor.personId) throw new RecordHeldForReview(record.heldReason);
  if (actor.hasRole('CENTER_ADMIN')) return;
  const unitPath = actor.claims?.unitPath;
  if (!unitPath || !record.heldStaffPath!.startsWith(`${unitPath}/`)) throw new RecordHeldForReview(record.heldReason);
}

/**
 * The same rule as SQL over `service_record` (alias `r`), for bulk verification: held records the caller may not
 * review are left pending. `param` binds a value and returns its placeholder.
 */
export function reviewableCondition(actor: Actor, param: (value: unknown) => string): string {
  const notOwn = `NOT EXISTS (SELECT 1 FROM volunteer hv WHERE hv.id = r.volunteer_id AND hv.person_id::text = ${param(actor.personId ?? '')})`;
  const above = actor.hasRole('CENTER_ADMIN') ? 'true' : `starts_with(r.held_staff_path, ${param(actor.claims?.unitPath ?? '\u0000')} || '/')`;
  return `(r.held_reason IS NULL OR (${notOwn} AND ${above}))`;
}
