import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, Claims, Photos } from '@kz/auth';
import { BadUserInput, DomainError, Forbidden, NotFound } from '@kz/errors';
import { findUnit } from '@kz/org-replica';
import { parseInput } from '@kz/subgraph';
import type { OrdersLoaders } from '../loaders';
import { stageDeadline, StageMinutes } from './deadlines';
import { NoAssignees, listedTwice, notAssignee, notStation, unknownUnit } from './order.errors';
import {
  addFollowUpInput,
  assignVolunteersInput,
  cancelOrderInput,
  deliverOrderInput,
  dispatchOrderInput,
  escalateOrderInput,
  evaluateOrderInput,
  orderIdInput,
  placeOrderInput,
  reportPatrolOrderInput,
  returnOrderInput,
  updateDemandLedgerInput,
} from './order.input';
import type { ServiceOrder } from './order.entity';
import type { OrderAccess } from './order-access';
import {
  ASSISTING_STAFF,
  ESCALATION_STAGES,
  findTransition,
  Mover,
  moversOf,
  OrderMove,
  OrderTransition,
  PATROLLERS,
  RESIDENTS,
  STATION_STAFF,
  transitionFor,
} from './order-state-machine';
import { attachOrderPhotos } from './order-photos';
import { orderRecordContent, orderRecordPlace } from './order-record-place';
import { appendTimeline, Doer, doerOf, insertOrder, lockOrder, recordOrderEvent, SYSTEM, updateOrder } from './order-writer';

/** Moves whose staff act for the order's station (the timeline names the station as their unit). */
const STATION_SIDE: OrderMove[] = ['accept', 'return', 'assign', 'start', 'deliver', 'updateLedger'];

interface Move {
  manager: EntityManager;
  order: ServiceOrder;
  transition: OrderTransition;
  doer: Doer;
  now: Date;
}

/**
 * The six-order lifecycle: placing orders (巡单, 点单) and every move of `ORDER_TRANSITIONS` (派单, 接单, 送单, 评单…).
 * A move is one transaction: the order's row is locked (`SELECT … FOR UPDATE`), the caller checked against the
 * table (FORBIDDEN if they may not make the move on this order, INVALID_TRANSITION if not from its state), the
 * order changed, a timeline line appended and the move's event written to the outbox, all or nothing.
 */
export class OrderMoves {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrdersLoaders,
    private readonly access: OrderAccess,
    private readonly minutes: StageMinutes,
    private readonly eventsWritten: () => void,
    private readonly photos: Photos,
  ) {}

  /** 点单: a resident places an order, or staff place it on someone's behalf (assisted mode). */
  async place(raw: unknown): Promise<ServiceOrder> {
    const claims = this.actor.requireRole(...RESIDENTS, ...ASSISTING_STAFF);
    const input = parseInput(placeOrderInput, raw);
    const staffRole = ASSISTING_STAFF.find((role) => claims.roles.includes(role));
    if (input.onBehalfOfPersonId && !staffRole) throw new Forbidden();
    // Staff taking an order by phone or in person take it for someone else: the person named, or a beneficiary
    // without an account. Anyone else places their own.
    const assisted = !!staffRole && (!!input.onBehalfOfPersonId || input.channel === 'PHONE' || input.channel === 'OFFLINE');
    const requester = assisted ? (input.onBehalfOfPersonId ?? null) : claims.sub;
    if (assisted && !requester && !input.beneficiary) throw new BadUserInput('input.beneficiary', { key: 'input.required' });
    return this.submit(async (manager) => {
      const hint = input.stationHintId ? await this.station(manager, input.stationHintId, 'input.stationHintId') : null;
      // Staff place orders for their own subtree (ROLES.md: a grid worker's scope is their station), the center anywhere.
      if (assisted && hint && !this.actor.inScope(hint.path, [staffRole!])) throw new Forbidden();
      const home = hint ? hint.path : assisted ? (claims.unitPath ?? null) : null;
      // Upload ids are read once the caller may place this order: a refusal says nothing about the photos.
      const photos = this.photos.tickets(input.photoIds, claims.sub, 'input.photoIds');
      const order = await insertOrder(manager, {
        source: 'RESIDENT',
        channel: input.channel,
        category: input.category,
        title: input.title,
        description: input.description,
        address: input.address,
        location: input.location,
        photos: input.photos,
        requesterPersonId: requester,
        placedByPersonId: assisted ? claims.sub : null,
        requesterHomePath: home,
        beneficiary: input.beneficiary,
        urgency: input.urgency ?? 'NORMAL',
      });
      const doer = assisted ? doerOf(claims, staffRole!) : doerOf(claims, this.access.roleOf('REQUESTER'), null);
      await attachOrderPhotos(manager, order, null, photos, doer, 'input.photoIds');
      return { order, doer };
    });
  }

  /** 巡单: a grid worker or station staff reports a need found on patrol, for their unit. */
  async reportPatrol(raw: unknown): Promise<ServiceOrder> {
    const claims = this.actor.requireRole(...PATROLLERS);
    const input = parseInput(reportPatrolOrderInput, raw);
    const role = PATROLLERS.find((candidate) => claims.roles.includes(candidate))!;
    return this.submit(async (manager) => {
      const order = await insertOrder(manager, {
        source: 'PATROL',
        channel: 'APP',
        category: input.category,
        title: input.title,
        description: input.description,
        address: input.address,
        location: input.location,
        photos: input.photos,
        requesterPersonId: claims.sub,
        requesterHomePath: claims.unitPath ?? null,
        beneficiary: input.beneficiary,
        urgency: input.urgency ?? 'NORMAL',
      });
      return { order, doer: doerOf(claims, role) };
    });
  }

  /** 派单: to a station (or practice point); also re-dispatches an order a station returned. */
  async dispatch(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(dispatchOrderInput, raw);
    return this.move(input.orderId, 'dispatch', async ({ manager, order, transition, doer, now }) => {
      const station = await this.station(manager, input.stationId, 'input.stationId');
      const acceptBy = stageDeadline(this.minutes, 'ACCEPT', order.urgency, now);
      const next = await updateOrder(manager, order.id, {
        status: transition.to,
        station_id: station.id,
        station_path: station.path,
        dispatched_at: now,
        accept_by: acceptBy,
      });
      await this.log(manager, next, transition, order, doer, station.name);
      // The event's time is the stage's start (dispatched_at): the dispatch worker's timers and the ones it rebuilds from
      // this row (dueTimers) then agree on it to the millisecond.
      await recordOrderEvent(manager, next, doer, 'order.dispatched', { orderId: order.id, stationId: station.id, dueAt: acceptBy.toISOString() }, now);
      return next;
    });
  }

  /** 接单: the station takes the order; the delivery deadline starts. */
  async accept(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(orderIdInput, raw);
    return this.move(input.orderId, 'accept', async ({ manager, order, transition, doer, now }) => {
      const deliverBy = stageDeadline(this.minutes, 'DELIVER', order.urgency, now);
      const next = await updateOrder(manager, order.id, { status: transition.to, accepted_at: now, deliver_by: deliverBy });
      await this.log(manager, next, transition, order, doer);
      await recordOrderEvent(manager, next, doer, 'order.accepted', { orderId: order.id, stationId: order.stationId!, dueAt: deliverBy.toISOString() }, now);
      return next;
    });
  }

  /** The station cannot take it: back to the center for re-dispatch, with the station and the reason on record. */
  async return(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(returnOrderInput, raw);
    return this.move(input.orderId, 'return', async ({ manager, order, transition, doer }) => {
      const next = await updateOrder(manager, order.id, {
        status: transition.to,
        station_id: null,
        station_path: null,
        accept_by: null,
        return_count: order.returnCount + 1,
      });
      await this.log(manager, next, transition, order, doer, input.reason);
      await recordOrderEvent(manager, next, doer, 'order.returned', { orderId: order.id, stationId: order.stationId!, reason: input.reason });
      return next;
    });
  }

  /**
   * The station's volunteers who serve the order (replacing the assignment). Ids are kept as given: whether each is
   * an active volunteer of the station is the volunteers subgraph's rule, applied when it records their service. A
   * volunteer whose account is closed (CLOSED in the replica, for good) is refused here already.
   */
  async assign(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(assignVolunteersInput, raw);
    assertUnique(input.volunteerIds, (index) => `input.volunteerIds.${index}`);
    return this.move(input.orderId, 'assign', async ({ manager, order, transition, doer }) => {
      const closed: { id: string }[] = await manager.query(`SELECT id::text FROM volunteer_ref WHERE id = ANY($1::bigint[]) AND status = 'CLOSED'`, [
        input.volunteerIds,
      ]);
      if (closed.length > 0) {
        const index = input.volunteerIds.indexOf(closed[0]!.id);
        throw new BadUserInput(`input.volunteerIds.${index}`, { key: 'input.invalid', detail: 'the volunteer closed their account' });
      }
      await manager.query('DELETE FROM order_assignee WHERE order_id = $1 AND NOT (volunteer_id = ANY($2::bigint[]))', [order.id, input.volunteerIds]);
      await manager.query(
        `INSERT INTO order_assignee (order_id, volunteer_id) SELECT $1, v FROM unnest($2::bigint[]) AS v ON CONFLICT DO NOTHING`,
        [order.id, input.volunteerIds],
      );
      const next = await updateOrder(manager, order.id, {});
      await this.log(manager, next, transition, order, doer, input.volunteerIds.join(', '));
      await recordOrderEvent(manager, next, doer, 'order.assigned', { orderId: order.id, volunteerIds: input.volunteerIds });
      return next;
    });
  }

  /** Service begins; it needs someone assigned. */
  async start(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(orderIdInput, raw);
    return this.move(input.orderId, 'start', async ({ manager, order, transition, doer, now }) => {
      const [{ n }] = await manager.query('SELECT count(*)::int AS n FROM order_assignee WHERE order_id = $1', [order.id]);
      if (n === 0) throw new NoAssignees();
      const next = await updateOrder(manager, order.id, { status: transition.to, started_at: now });
      await this.log(manager, next, transition, order, doer);
      await recordOrderEvent(manager, next, doer, 'order.started', {
        orderId: order.id,
        stationId: order.stationId!,
        startedAt: now.toISOString(),
        dueAt: order.deliverBy?.toISOString(),
      });
      return next;
    });
  }

  /**
   * 送单: what was done, how fully, and the minutes each assignee served (which the volunteers subgraph turns into
   * service records from `order.delivered`); the funding spent goes to the demand ledger. The evaluation window opens.
   * Each delivery is a round of its own (1, then 2 after a reopening…): its minutes are kept beside the earlier
   * rounds', never over them, and `order.delivered` names the round, so each round becomes records of its own. A
   * round declared `staffDuty` (条例 Art. 19) keeps its minutes here, and the event tells the volunteers subgraph to
   * make no records of it.
   */
  async deliver(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(deliverOrderInput, raw);
    assertUnique(
      input.minutes.map((entry) => entry.volunteerId),
      (index) => `input.minutes.${index}.volunteerId`,
    );
    return this.move(input.orderId, 'deliver', async ({ manager, order, transition, doer, now }) => {
      // Staff duty is the station's declaration about its staff, not the assignee's to make (条例 Art. 19).
      if (input.staffDuty && doer.role === 'VOLUNTEER') throw new Forbidden();
      const photos = this.photos.tickets(input.photoIds, this.actor.requireAuthenticated().sub, 'input.photoIds');
      const assigned: { volunteer_id: string }[] = await manager.query('SELECT volunteer_id::text FROM order_assignee WHERE order_id = $1', [order.id]);
      const ids = new Set(assigned.map((row) => row.volunteer_id));
      input.minutes.forEach((entry, index) => {
        if (!ids.has(entry.volunteerId)) throw notAssignee(`input.minutes.${index}.volunteerId`, entry.volunteerId);
      });
      // The order's row is locked (`move`), so the next round number is this order's alone.
      const [{ round }] = (await manager.query(
        `INSERT INTO order_delivery (order_id, round, delivered_at, outcome, note)
         SELECT $1, coalesce(max(round), 0) + 1, $2, $3, $4 FROM order_delivery WHERE order_id = $1
         RETURNING round`,
        [order.id, now, input.outcome, input.note],
      )) as [{ round: number }];
      await manager.query(
        `INSERT INTO order_delivery_minutes (order_id, round, volunteer_id, minutes)
         SELECT $1, $2, m.volunteer_id, m.minutes FROM unnest($3::bigint[], $4::int[]) AS m(volunteer_id, minutes)`,
        [order.id, round, input.minutes.map((entry) => entry.volunteerId), input.minutes.map((entry) => entry.minutes)],
      );
      await attachOrderPhotos(manager, order, round, photos, doer, 'input.photoIds');
      const evaluateBy = stageDeadline(this.minutes, 'EVALUATE', order.urgency, now);
      const changes: Record<string, unknown> = {
        status: transition.to,
        delivered_at: now,
        evaluate_by: evaluateBy,
        outcome: input.outcome,
        delivery_note: input.note,
        staff_duty: input.staffDuty ?? false,
      };
      if (input.fundingArranged !== undefined) changes.funding_arranged = input.fundingArranged;
      if (input.fundingSource !== undefined) changes.funding_source = input.fundingSource;
      const next = await updateOrder(manager, order.id, changes);
      await this.log(manager, next, transition, order, doer, input.note);
      // 办法 Art. 7 place and content of the records: the station and the 小区, never the resident's address.
      const station = await findUnit(manager, order.stationId!);
      const place = orderRecordPlace(station?.name ?? null, order.address);
      await recordOrderEvent(manager, next, doer, 'order.delivered', {
        orderId: order.id,
        round,
        outcome: input.outcome,
        minutesByVolunteer: Object.fromEntries(input.minutes.map((entry) => [entry.volunteerId, entry.minutes])),
        stationId: order.stationId!,
        category: order.category,
        title: order.title,
        startedAt: (order.startedAt ?? now).toISOString(),
        deliveredAt: now.toISOString(),
        dueAt: evaluateBy.toISOString(),
        ...(input.staffDuty ? { staffDuty: true } : {}),
        ...(place ? { place } : {}),
        content: orderRecordContent(order.category, order.title),
      }, now);
      return next;
    });
  }

  /** 评单 by the requester; an answer of NO reopens the order at once (back to ACCEPTED, with a new deadline). */
  async evaluate(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(evaluateOrderInput, raw);
    return this.move(input.orderId, 'evaluate', async ({ manager, order, transition, doer, now }) => {
      let next = await updateOrder(manager, order.id, {
        status: transition.to,
        evaluated_at: now,
        rating: input.rating,
        resolved: input.resolved,
        comment: input.comment ?? null,
      });
      // The evaluation is of the latest delivery round (the order is DELIVERED, so there is one).
      await manager.query(
        `UPDATE order_delivery SET rating = $2, resolved = $3, comment = $4, evaluated_at = $5
          WHERE order_id = $1 AND round = (SELECT max(round) FROM order_delivery WHERE order_id = $1)`,
        [order.id, input.rating, input.resolved, input.comment ?? null, now],
      );
      await this.log(manager, next, transition, order, doer, input.comment ?? null);
      await recordOrderEvent(manager, next, doer, 'order.evaluated', { orderId: order.id, rating: input.rating, resolved: input.resolved });
      if (input.resolved === 'NO') {
        const reopen = transitionFor(next.status, 'reopen');
        const deliverBy = stageDeadline(this.minutes, 'DELIVER', order.urgency, now);
        const evaluated = next;
        next = await updateOrder(manager, order.id, { status: reopen.to, deliver_by: deliverBy, evaluate_by: null });
        await this.log(manager, next, reopen, evaluated, SYSTEM, input.comment ?? null);
        await recordOrderEvent(manager, next, SYSTEM, 'order.reopened', {
          orderId: order.id,
          rating: input.rating,
          resolved: input.resolved,
          dueAt: deliverBy.toISOString(),
        });
      }
      return next;
    });
  }

  /** The requester (or the staff who placed it) withdraws the order before a station accepts it. */
  async cancel(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(cancelOrderInput, raw);
    return this.move(input.orderId, 'cancel', async ({ manager, order, transition, doer, now }) => {
      const next = await updateOrder(manager, order.id, { status: transition.to, cancelled_at: now, accept_by: null });
      await this.log(manager, next, transition, order, doer, input.reason ?? null);
      await recordOrderEvent(manager, next, doer, 'order.cancelled', { orderId: order.id });
      return next;
    });
  }

  /** The requester follows up; the event belongs to the station holding the order, so its staff are told. */
  async followUp(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(addFollowUpInput, raw);
    return this.move(input.orderId, 'followUp', async ({ manager, order, transition, doer }) => {
      const next = await updateOrder(manager, order.id, {});
      await this.log(manager, next, transition, order, doer, input.note);
      await recordOrderEvent(manager, next, doer, 'order.followUp.added', { orderId: order.id, note: input.note });
      return next;
    });
  }

  /** 需求台账: the resources the need takes and the funding arranged for it (a field left out stays as it is). */
  async updateLedger(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(updateDemandLedgerInput, raw);
    const changes: Record<string, unknown> = {};
    if (input.resourcesNeeded !== undefined) changes.resources_needed = input.resourcesNeeded;
    if (input.fundingArranged !== undefined) changes.funding_arranged = input.fundingArranged;
    if (input.fundingSource !== undefined) changes.funding_source = input.fundingSource;
    if (Object.keys(changes).length === 0) throw new BadUserInput('input.resourcesNeeded', { key: 'input.required' });
    return this.move(input.orderId, 'updateLedger', async ({ manager, order, transition, doer }) => {
      const next = await updateOrder(manager, order.id, changes);
      await this.log(manager, next, transition, order, doer, ledgerNote(next));
      return next;
    });
  }

  /**
   * The dispatch worker escalates an overdue stage. Only while the stage still applies (ACCEPT while dispatched,
   * DELIVER while accepted or in progress), and once per order, stage, deadline and level: a repeat, or a stage the
   * order has left, returns the order unchanged.
   */
  async escalate(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(escalateOrderInput, raw);
    return this.move(
      input.orderId,
      'escalate',
      async ({ manager, order, transition, doer }) => {
        const dueAt = input.stage === 'ACCEPT' ? order.acceptBy : order.deliverBy;
        if (!ESCALATION_STAGES[input.stage].includes(order.status) || !dueAt) return order;
        const inserted = await manager.query(
          `INSERT INTO order_escalation (order_id, stage, level, due_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING order_id`,
          [order.id, input.stage, input.level, dueAt],
        );
        if (inserted.length === 0) return order;
        const next = await updateOrder(manager, order.id, {});
        await this.log(manager, next, transition, order, doer, `${input.stage} → ${input.level}`);
        await recordOrderEvent(manager, next, doer, 'order.escalated', {
          orderId: order.id,
          stage: input.stage,
          level: input.level,
          dueAt: dueAt.toISOString(),
        });
        return next;
      },
      { noOpWhenNotAllowed: true },
    );
  }

  /** Closes a delivered or evaluated order (the dispatch worker after the evaluation window, or the center admin). */
  async close(raw: unknown): Promise<ServiceOrder> {
    const input = parseInput(orderIdInput, raw);
    return this.move(input.orderId, 'close', async ({ manager, order, transition, doer, now }) => {
      const next = await updateOrder(manager, order.id, { status: transition.to, closed_at: now });
      await this.log(manager, next, transition, order, doer);
      await recordOrderEvent(manager, next, doer, 'order.closed', {
        orderId: order.id,
        ...(order.rating !== null ? { rating: order.rating } : {}),
        ...(order.resolved !== null ? { resolved: order.resolved } : {}),
      });
      return next;
    });
  }

  /** Inserts a new order with its first timeline line and `order.submitted`, in one transaction. */
  private async submit(insert: (manager: EntityManager) => Promise<{ order: ServiceOrder; doer: Doer }>): Promise<ServiceOrder> {
    const order = await this.dataSource.transaction(async (manager) => {
      const { order, doer } = await insert(manager);
      await appendTimeline(manager, order.id, { action: 'SUBMITTED', from: null, to: 'SUBMITTED', doer });
      await recordOrderEvent(manager, order, doer, 'order.submitted', {
        orderId: order.id,
        code: order.code,
        source: order.source,
        category: order.category,
        specialGroup: order.specialGroup,
        location: order.lat !== null && order.lng !== null ? { lat: order.lat, lng: order.lng } : null,
        urgency: order.urgency,
      });
      return order;
    });
    this.eventsWritten();
    return this.fresh(order);
  }

  /**
   * One move of one order: lock it, check the caller may make the move on it (FORBIDDEN) and from its state
   * (INVALID_TRANSITION), then apply `effect` in the same transaction.
   */
  private async move(
    orderId: string,
    move: OrderMove,
    effect: (move: Move) => Promise<ServiceOrder>,
    options: { noOpWhenNotAllowed?: boolean } = {},
  ): Promise<ServiceOrder> {
    const claims = this.actor.requireAuthenticated();
    const movers = moversOf(move);
    if (!movers.includes('REQUESTER') && !movers.includes('ASSIGNEE') && !this.actor.hasRole(...movers.filter(isRole))) throw new Forbidden();
    const order = await this.dataSource.transaction(async (manager) => {
      const current = await lockOrder(manager, orderId);
      if (!current) throw this.hidden(orderId);
      const mover = await this.access.moverFor(current, move, manager);
      if (!mover) throw new Forbidden();
      const transition = findTransition(current.status, move);
      if (!transition) {
        if (options.noOpWhenNotAllowed) return current;
        throw transitionFor(current.status, move); // throws INVALID_TRANSITION
      }
      const doer = doerOf(claims, this.access.roleOf(mover), this.unitOf(claims, mover, move, current));
      return effect({ manager, order: current, transition, doer, now: new Date() });
    });
    this.eventsWritten();
    return this.fresh(order);
  }

  /** The unit a staff member acts for: the order's station on the station side, else their own. */
  private unitOf(claims: Claims, mover: Mover, move: OrderMove, order: ServiceOrder): string | null {
    if (mover === 'REQUESTER' || mover === 'ASSIGNEE' || mover === 'SERVICE' || mover === 'SYSTEM') return null;
    if (STATION_SIDE.includes(move) && STATION_STAFF.includes(mover)) return order.stationId ?? claims.unitId ?? null;
    return claims.unitId ?? null;
  }

  private async log(manager: EntityManager, next: ServiceOrder, transition: OrderTransition, before: ServiceOrder, doer: Doer, note: string | null = null) {
    await appendTimeline(manager, next.id, { action: transition.action, from: before.status, to: next.status, doer, note });
  }

  /** A station (or practice point) of the unit replica, or BAD_USER_INPUT naming the field. */
  private async station(manager: EntityManager, id: string, field: string) {
    const unit = await findUnit(manager, id);
    if (!unit) throw unknownUnit(field, id);
    if (unit.level !== 'STATION' && unit.level !== 'POINT') throw notStation(field, unit);
    return unit;
  }

  /** An unknown order looks like one out of scope, except to those who see every order. */
  private hidden(id: string): DomainError {
    return this.access.readsEverything ? new NotFound('ServiceOrder', id, '服务订单') : new Forbidden();
  }

  /** Later reads in this request see the order as the move left it. */
  private fresh(order: ServiceOrder): ServiceOrder {
    this.loaders.orderById.clear(order.id).prime(order.id, order);
    this.loaders.assigneesByOrder.clear(order.id);
    this.loaders.deliveriesByOrder.clear(order.id);
    this.loaders.timelineByOrder.clear(order.id);
    return order;
  }
}

function isRole(mover: Mover): mover is Exclude<Mover, 'REQUESTER' | 'ASSIGNEE' | 'SYSTEM'> {
  return mover !== 'REQUESTER' && mover !== 'ASSIGNEE' && mover !== 'SYSTEM';
}

function assertUnique(ids: string[], field: (index: number) => string): void {
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (seen.has(id)) throw listedTwice(field(index), id);
    seen.add(id);
  });
}

function ledgerNote(order: ServiceOrder): string {
  const parts: string[] = [];
  if (order.resourcesNeeded) parts.push(`所需资源：${order.resourcesNeeded}`);
  if (order.fundingArranged !== null) parts.push(`落实经费：${order.fundingArranged} 元${order.fundingSource ? `（${order.fundingSource}）` : ''}`);
  return parts.join('；');
}
