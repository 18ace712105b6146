import type { DataSource } from 'typeorm';
import { Actor, maskName } from '@kz/auth';
import { hydrate } from '@kz/db';
import { Conditions, Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { OrdersLoaders } from '../loaders';
import { maskPhone } from '../personal-data';
import { OVERDUE_SQL } from './deadlines';
import { unknownUnit } from './order.errors';
import { orderFilter } from './order.input';
import { OrderEvent, ServiceOrder } from './order.entity';
import type { OrderAccess } from './order-access';

export const ORDER_CURSOR = 'order';

/** Entities of other subgraphs, as references the gateway resolves there. */
const volunteerRef = (id: string) => ({ __typename: 'Volunteer', id });
export const personRef = (id: string | null) => (id ? { __typename: 'Person', id } : null);
export const unitRef = (id: string | null) => (id ? { __typename: 'PracticeUnit', id } : null);

/**
 * Reads of service orders, as far as the caller sees them (`OrderAccess`): one order, filtered lists, the caller's
 * own, a unit's, and the fields that need a rule (masked beneficiary) or a batched lookup (assignees, timeline).
 */
export class OrderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrdersLoaders,
    private readonly access: OrderAccess,
  ) {}

  /** An order the caller may see; null if there is none or it is not theirs to see. */
  async get(id: string): Promise<ServiceOrder | null> {
    this.actor.requireAuthenticated();
    if (!isBigintId(id)) return null;
    const order = await this.loaders.orderById.load(id);
    return order && (await this.access.canSee(order)) ? order : null;
  }

  /** Orders matching the filter that the caller sees, newest first. */
  async list(rawFilter: unknown, args: PageArgs): Promise<Connection<ServiceOrder>> {
    this.actor.requireAuthenticated();
    const filter = parseInput(orderFilter, rawFilter, 'filter') ?? {};
    const page = readPage(args, ORDER_CURSOR);
    const conditions = new Conditions();
    const seen = this.access.visibility().sql(1);
    conditions.add(seen.sql, seen.params);
    if (filter.status) conditions.add(`o.status = ${conditions.param(filter.status)}`);
    if (filter.category) conditions.add(`o.category = ${conditions.param(filter.category)}`);
    if (filter.source) conditions.add(`o.source = ${conditions.param(filter.source)}`);
    if (filter.specialGroup) conditions.add(`o.special_group = ${conditions.param(filter.specialGroup)}`);
    if (filter.from) conditions.add(`o.created_at >= ${conditions.param(filter.from)}`);
    if (filter.to) conditions.add(`o.created_at < ${conditions.param(filter.to)}`);
    if (filter.overdue === true) conditions.add(OVERDUE_SQL);
    if (filter.overdue === false) conditions.add(`NOT ${OVERDUE_SQL}`);
    if (filter.withinUnitId) {
      const unit = await this.loaders.unitRefById.load(filter.withinUnitId);
      if (!unit) throw unknownUnit('filter.withinUnitId', filter.withinUnitId);
      conditions.within('o.station_path', unit.path);
    }
    return this.page(conditions, page);
  }

  /** The caller's own orders: placed by them or for them. */
  async mine(args: PageArgs): Promise<Connection<ServiceOrder>> {
    const claims = this.actor.requireAuthenticated();
    const page = readPage(args, ORDER_CURSOR);
    const conditions = new Conditions();
    const me = conditions.param(claims.sub);
    conditions.add(`(o.requester_person_id = ${me} OR o.placed_by_person_id = ${me})`);
    return this.page(conditions, page);
  }

  /**
   * Orders dispatched to stations of a unit's subtree, newest first (batched over units): for staff whose subtree
   * holds the unit and those who read every order; FORBIDDEN for anyone else (`OrderAccess.requireUnitScope`).
   */
  async listByUnit(unitId: string, args: PageArgs): Promise<Connection<ServiceOrder>> {
    this.actor.requireAuthenticated();
    this.access.requireUnitScope(isBigintId(unitId) ? await this.loaders.unitRefById.load(unitId) : null);
    const page = readPage(args, ORDER_CURSOR);
    const visibility = this.access.visibility();
    if (page.afterKey !== null && !isBigintId(page.afterKey)) return toConnection<ServiceOrder>([], page, ORDER_CURSOR, (o) => o.id, async () => 0);
    const rows = await this.loaders.ordersByUnit.load({ unitId, page, visibility });
    for (const order of rows) this.loaders.orderById.prime(order.id, order);
    return toConnection(rows, page, ORDER_CURSOR, (order) => order.id, () => this.loaders.orderCountByUnit.load({ unitId, visibility }));
  }

  beneficiary(order: ServiceOrder) {
    if (!order.beneficiaryName) return null;
    const clear = this.access.seesPersonalData(order);
    return {
      name: clear ? order.beneficiaryName : maskName(order.beneficiaryName),
      phone: order.beneficiaryPhone ? (clear ? order.beneficiaryPhone : maskPhone(order.beneficiaryPhone)) : null,
      specialGroup: order.specialGroup,
    };
  }

  async assignees(order: ServiceOrder) {
    return (await this.loaders.assigneesByOrder.load(order.id)).map((assignee) => volunteerRef(assignee.volunteerId));
  }

  /**
   * The minutes each volunteer served, summed over every delivery round: the volunteers subgraph makes one service
   * record per volunteer and round, so this is what the volunteer's records of the order add up to. Volunteers in
   * the order they first served (by round, then by id); one taken off the assignment keeps the minutes served.
   */
  async minutesByVolunteer(order: ServiceOrder) {
    const totals = new Map<string, number>();
    for (const delivery of await this.loaders.deliveriesByOrder.load(order.id)) {
      for (const { volunteerId, minutes } of delivery.minutes) totals.set(volunteerId, (totals.get(volunteerId) ?? 0) + minutes);
    }
    return [...totals].map(([volunteerId, minutes]) => ({ volunteer: volunteerRef(volunteerId), minutes }));
  }

  /** Every delivery round of the order, first round first, with its minutes and its evaluation. */
  async deliveries(order: ServiceOrder) {
    return (await this.loaders.deliveriesByOrder.load(order.id)).map((delivery) => ({
      orderId: delivery.orderId, // for its photos
      round: delivery.round,
      deliveredAt: delivery.deliveredAt,
      outcome: delivery.outcome,
      note: delivery.note,
      minutesByVolunteer: delivery.minutes.map(({ volunteerId, minutes }) => ({ volunteer: volunteerRef(volunteerId), minutes })),
      evaluation:
        delivery.rating !== null && delivery.resolved !== null && delivery.evaluatedAt !== null
          ? { rating: delivery.rating, resolved: delivery.resolved, comment: delivery.comment, evaluatedAt: delivery.evaluatedAt }
          : null,
    }));
  }

  async timeline(order: ServiceOrder) {
    return (await this.loaders.timelineByOrder.load(order.id)).map((entry: OrderEvent) => ({
      id: entry.id,
      action: entry.action,
      fromStatus: entry.fromStatus,
      toStatus: entry.toStatus,
      actor: personRef(entry.actorPersonId),
      actorRole: entry.actorRole,
      actorUnit: unitRef(entry.actorUnitId),
      note: entry.note,
      at: entry.at,
    }));
  }

  /** One page of orders matching `conditions`, newest first, primed into the by-id loader. */
  private async page(conditions: Conditions, page: ReturnType<typeof readPage>): Promise<Connection<ServiceOrder>> {
    const counted = { where: conditions.where, params: [...conditions.params] };
    if (page.afterKey !== null) {
      if (!isBigintId(page.afterKey)) return toConnection<ServiceOrder>([], page, ORDER_CURSOR, (o) => o.id, async () => 0);
      conditions.add(`o.id < ${conditions.param(page.afterKey)}::bigint`);
    }
    const rows = await this.dataSource.query(
      `SELECT o.* FROM service_order o ${conditions.where} ORDER BY o.id DESC LIMIT ${conditions.param(page.limit + 1)}`,
      conditions.params,
    );
    const orders = hydrate(this.dataSource.manager, ServiceOrder, rows);
    for (const order of orders) this.loaders.orderById.prime(order.id, order);
    return toConnection(orders, page, ORDER_CURSOR, (order) => order.id, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM service_order o ${counted.where}`, counted.params);
      return row.n as number;
    });
  }
}
