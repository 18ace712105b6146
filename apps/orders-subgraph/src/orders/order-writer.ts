import type { EntityManager } from 'typeorm';
import type { Claims } from '@kz/auth';
import { hydrate } from '@kz/db';
import { EventActor, EventDraft, EventType, recordEvent } from '@kz/events';
import { ServiceOrder } from './order.entity';
import { transitionFor } from './order-state-machine';
import type {
  OrderAction,
  OrderCategory,
  OrderChannel,
  OrderSource,
  OrderStatus,
  SpecialGroup,
  Urgency,
} from './order-statuses';

/**
 * Who did something to an order, as the timeline and the event envelope record it. People act with their person id,
 * the role they acted in and (staff) their unit; the dispatch worker and the service itself act as SYSTEM.
 */
export interface Doer {
  event: EventActor;
  personId: string | null;
  role: string;
  unitId: string | null;
}

export const SYSTEM: Doer = { event: { system: 'orders' }, personId: null, role: 'SYSTEM', unitId: null };

/** The doer of a call by `claims`, acting as `role` (for `unitId`, the unit they act for, if not their own). */
export function doerOf(claims: Claims, role: string, unitId: string | null = claims.unitId ?? null): Doer {
  if (claims.roles.includes('SERVICE')) return { event: { system: claims.sub }, personId: null, role: 'SYSTEM', unitId: null };
  return { event: { personId: claims.sub, roles: claims.roles }, personId: claims.sub, role, unitId };
}

export interface NewOrder {
  source: OrderSource;
  channel: OrderChannel;
  category: OrderCategory;
  title: string;
  description?: string | null;
  address?: string | null;
  location?: { lat: number; lng: number } | null;
  photos?: string[] | null;
  requesterPersonId: string | null;
  placedByPersonId?: string | null;
  requesterHomePath: string | null;
  beneficiary?: { name: string; phone?: string | null; specialGroup: SpecialGroup } | null;
  urgency: Urgency;
  carePlanId?: string | null;
  visitDueAt?: Date | null;
  redemptionId?: string | null;
}

/**
 * Inserts a SUBMITTED order with the next code of the day (`KZ-YYYYMMDD-NNNN`, Asia/Shanghai). The counter row of
 * the day is bumped in the same statement, so its lock is held only from here to the commit, and two placements
 * never get the same number; a placement that rolls back leaves a gap, never a duplicate.
 */
export async function insertOrder(manager: EntityManager, order: NewOrder): Promise<ServiceOrder> {
  const rows = await manager.query(
    `WITH n AS (
       INSERT INTO order_code_counter (day, last) VALUES ((now() AT TIME ZONE 'Asia/Shanghai')::date, 1)
       ON CONFLICT (day) DO UPDATE SET last = order_code_counter.last + 1
       RETURNING day, last)
     INSERT INTO service_order (code, source, channel, category, title, description, address, lat, lng, photos,
                                requester_person_id, placed_by_person_id, requester_home_path, beneficiary_name,
                                beneficiary_phone, special_group, urgency, care_plan_id, visit_due_at, redemption_id)
     SELECT 'KZ-' || to_char(n.day, 'YYYYMMDD') || '-' || CASE WHEN n.last < 10000 THEN lpad(n.last::text, 4, '0') ELSE n.last::text END,
            $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
       FROM n
     RETURNING *`,
    [
      order.source,
      order.channel,
      order.category,
      order.title,
      order.description ?? null,
      order.address ?? null,
      order.location?.lat ?? null,
      order.location?.lng ?? null,
      order.photos ?? [],
      order.requesterPersonId,
      order.placedByPersonId ?? null,
      order.requesterHomePath,
      order.beneficiary?.name ?? null,
      order.beneficiary?.phone ?? null,
      order.beneficiary?.specialGroup ?? 'NONE',
      order.urgency,
      order.carePlanId ?? null,
      order.visitDueAt ?? null,
      order.redemptionId ?? null,
    ],
  );
  return hydrate(manager, ServiceOrder, rows)[0]!;
}

/** Locks an order for a move (`SELECT … FOR UPDATE`): moves of one order take turns. */
export async function lockOrder(manager: EntityManager, id: string): Promise<ServiceOrder | null> {
  const rows = await manager.query('SELECT * FROM service_order WHERE id = $1 FOR UPDATE', [id]);
  return hydrate(manager, ServiceOrder, rows)[0] ?? null;
}

/** Sets columns of an order (snake_case names), stamps `updated_at`, and returns the row as it now is. */
export async function updateOrder(manager: EntityManager, id: string, changes: Record<string, unknown>): Promise<ServiceOrder> {
  const columns = Object.keys(changes);
  const assignments = columns.map((column, index) => `${column} = $${index + 2}`);
  // TypeORM answers an UPDATE with [rows, affected].
  const [rows] = await manager.query(
    `UPDATE service_order SET ${[...assignments, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *`,
    [id, ...columns.map((column) => changes[column])],
  );
  return hydrate(manager, ServiceOrder, rows)[0]!;
}

export interface TimelineEntry {
  action: OrderAction;
  from: OrderStatus | null;
  to: OrderStatus | null;
  doer: Doer;
  note?: string | null;
}

/** Appends a line to the order's timeline. */
export async function appendTimeline(manager: EntityManager, orderId: string, entry: TimelineEntry): Promise<void> {
  await manager.query(
    `INSERT INTO order_event (order_id, action, from_status, to_status, actor_person_id, actor_role, actor_unit_id, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [orderId, entry.action, entry.from, entry.to, entry.doer.personId, entry.doer.role, entry.doer.unitId, entry.note ?? null],
  );
}

/**
 * An order's event, belonging to its station (or, before dispatch, the requester's home station; a resident's order
 * with neither belongs to the district's center, whose dispatchers route it, so the event always names a unit).
 */
export async function recordOrderEvent<T extends EventType>(
  manager: EntityManager,
  order: ServiceOrder,
  doer: Doer,
  type: T,
  payload: EventDraft<T>['payload'],
  /** The time the move took for the order's own columns (e.g. `dispatched_at`), so the event carries the same. */
  occurredAt?: Date,
): Promise<void> {
  const unitPath = order.stationPath ?? order.requesterHomePath ?? (await districtCenterPath(manager));
  await recordEvent(manager, { type, actor: doer.event, unitPath, payload, ...(occurredAt ? { occurredAt } : {}) });
}

/** The path of the district's center in the units replica (null before the replica holds it). */
async function districtCenterPath(manager: EntityManager): Promise<string | null> {
  const [row] = (await manager.query(`SELECT path FROM unit_ref WHERE level = 'CENTER' ORDER BY id LIMIT 1`)) as { path: string }[];
  return row?.path ?? null;
}

/**
 * Inserts an order that goes straight to a station (a care visit, a service bought with points): SUBMITTED by
 * `submitter`, then DISPATCHED by the system, each with its timeline line; emits `order.dispatched` (not
 * `order.submitted`, since there is nothing left to route). `acceptBy` is the accept deadline.
 */
export async function insertDispatchedOrder(
  manager: EntityManager,
  order: NewOrder,
  station: { id: string; path: string; name: string },
  submitter: Doer,
  acceptBy: (now: Date) => Date,
): Promise<ServiceOrder> {
  const created = await insertOrder(manager, order);
  await appendTimeline(manager, created.id, { action: 'SUBMITTED', from: null, to: 'SUBMITTED', doer: submitter });
  const now = new Date();
  const dueAt = acceptBy(now);
  const move = transitionFor('SUBMITTED', 'dispatch');
  const dispatched = await updateOrder(manager, created.id, {
    status: move.to,
    station_id: station.id,
    station_path: station.path,
    dispatched_at: now,
    accept_by: dueAt,
  });
  await appendTimeline(manager, created.id, { action: move.action, from: move.from, to: move.to, doer: SYSTEM, note: station.name });
  await recordOrderEvent(manager, dispatched, SYSTEM, 'order.dispatched', { orderId: created.id, stationId: station.id, dueAt: dueAt.toISOString() }, now);
  return dispatched;
}
