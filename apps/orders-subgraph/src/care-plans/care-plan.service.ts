import type { DataSource, EntityManager } from 'typeorm';
import { Actor, Claims, maskName, Role } from '@kz/auth';
import { hydrate } from '@kz/db';
import { DomainError, Forbidden, InvalidTransition, NotFound } from '@kz/errors';
import { EventActor, recordEvent } from '@kz/events';
import { findUnit } from '@kz/org-replica';
import { Conditions, Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { OrdersLoaders } from '../loaders';
import { maskPhone } from '../personal-data';
import { stageDeadline, StageMinutes } from '../orders/deadlines';
import { notStation, notVisitOfPlan, unknownUnit } from '../orders/order.errors';
import { ServiceOrder } from '../orders/order.entity';
import { READ_EVERYWHERE, SCOPED_READERS, OrderAccess } from '../orders/order-access';
import { ORDER_CURSOR } from '../orders/order.service';
import type { OrderCategory, SpecialGroup } from '../orders/order-statuses';
import { STATION_STAFF } from '../orders/order-state-machine';
import { Doer, insertDispatchedOrder } from '../orders/order-writer';
import { CarePlan, CareFrequency } from './care-plan.entity';
import { carePlanFilter, carePlanVisitInput, createCarePlanInput, missedVisitInput, updateCarePlanInput } from './care-plan.input';

const PLAN_CURSOR = 'carePlan';
const PERSONAL_DATA_STAFF: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER'];

const INTERVAL: Record<CareFrequency, string> = { WEEKLY: '7 days', BIWEEKLY: '14 days', MONTHLY: '1 month' };
const FREQUENCY_ZH: Record<CareFrequency, string> = { WEEKLY: '每周', BIWEEKLY: '每两周', MONTHLY: '每月' };
const VISIT_CATEGORY: Record<SpecialGroup, OrderCategory> = {
  EMPTY_NEST_ELDERLY: 'ELDERLY_CARE',
  LEFT_BEHIND_CHILD: 'CHILD_CARE',
  DISABLED: 'HEALTH',
  NONE: 'OTHER',
};

/**
 * Care plans: regular visits to special-group beneficiaries. Station staff make and change them; the dispatch worker
 * (SERVICE) turns each due visit into a patrol order, once per plan and due time, and flags visits that were missed.
 */
export class CarePlanService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrdersLoaders,
    private readonly access: OrderAccess,
    private readonly minutes: StageMinutes,
    private readonly eventsWritten: () => void,
  ) {}

  async canSee(plan: CarePlan): Promise<boolean> {
    if (this.actor.hasRole(...READ_EVERYWHERE) || this.actor.inScope(plan.stationPath, SCOPED_READERS)) return true;
    if (!this.actor.hasRole('VOLUNTEER')) return false;
    const [mine, visitors] = await Promise.all([this.access.myVolunteerIds(), this.loaders.carePlanVolunteers.load(plan.id)]);
    return visitors.some((id) => mine.has(id));
  }

  async get(id: string): Promise<CarePlan | null> {
    this.actor.requireAuthenticated();
    if (!isBigintId(id)) return null;
    const plan = await this.loaders.carePlanById.load(id);
    return plan && (await this.canSee(plan)) ? plan : null;
  }

  /** Plans the caller sees (their subtree's; a volunteer those they visit for), newest first. */
  async list(rawFilter: unknown, args: PageArgs): Promise<Connection<CarePlan>> {
    const claims = this.actor.requireAuthenticated();
    const filter = parseInput(carePlanFilter, rawFilter, 'filter') ?? {};
    const page = readPage(args, PLAN_CURSOR);
    const conditions = new Conditions();
    if (!this.actor.hasRole(...READ_EVERYWHERE)) {
      const parts = [
        `EXISTS (SELECT 1 FROM care_plan_volunteer cv JOIN volunteer_ref v ON v.id = cv.volunteer_id
                  WHERE cv.care_plan_id = p.id AND v.person_id = ${conditions.param(claims.sub)})`,
      ];
      if (this.actor.hasRole(...SCOPED_READERS) && claims.unitPath) {
        const path = conditions.param(claims.unitPath);
        parts.push(`(p.station_path = ${path} OR p.station_path LIKE ${path} || '/%')`);
      }
      conditions.add(`(${parts.join(' OR ')})`);
    }
    if (filter.withinUnitId) {
      const unit = await this.loaders.unitRefById.load(filter.withinUnitId);
      if (!unit) throw unknownUnit('filter.withinUnitId', filter.withinUnitId);
      conditions.within('p.station_path', unit.path);
    }
    if (typeof filter.active === 'boolean') conditions.add(`p.active = ${conditions.param(filter.active)}`);
    const counted = { where: conditions.where, params: [...conditions.params] };
    if (page.afterKey !== null) {
      if (!isBigintId(page.afterKey)) return toConnection<CarePlan>([], page, PLAN_CURSOR, (p) => p.id, async () => 0);
      conditions.add(`p.id < ${conditions.param(page.afterKey)}::bigint`);
    }
    const rows = await this.dataSource.query(
      `SELECT p.* FROM care_plan p ${conditions.where} ORDER BY p.id DESC LIMIT ${conditions.param(page.limit + 1)}`,
      conditions.params,
    );
    const plans = hydrate(this.dataSource.manager, CarePlan, rows);
    for (const plan of plans) this.loaders.carePlanById.prime(plan.id, plan);
    return toConnection(plans, page, PLAN_CURSOR, (plan) => plan.id, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM care_plan p ${counted.where}`, counted.params);
      return row.n as number;
    });
  }

  /** The plan of a visit order, if the caller sees it. */
  async ofOrder(order: ServiceOrder): Promise<CarePlan | null> {
    return order.carePlanId ? this.get(order.carePlanId) : null;
  }

  beneficiary(plan: CarePlan) {
    const clear = this.actor.hasRole('CENTER_ADMIN', 'DISPATCHER') || this.actor.inScope(plan.stationPath, PERSONAL_DATA_STAFF);
    return {
      name: clear ? plan.beneficiaryName : maskName(plan.beneficiaryName),
      phone: plan.beneficiaryPhone ? (clear ? plan.beneficiaryPhone : maskPhone(plan.beneficiaryPhone)) : null,
      specialGroup: plan.specialGroup,
    };
  }

  async volunteers(plan: CarePlan) {
    return (await this.loaders.carePlanVolunteers.load(plan.id)).map((id) => ({ __typename: 'Volunteer', id }));
  }

  async visits(plan: CarePlan, args: PageArgs): Promise<Connection<ServiceOrder>> {
    const page = readPage(args, ORDER_CURSOR);
    if (page.afterKey !== null && !isBigintId(page.afterKey)) return toConnection<ServiceOrder>([], page, ORDER_CURSOR, (o) => o.id, async () => 0);
    const visibility = this.access.visibility();
    const rows = await this.loaders.visitsByPlan.load({ carePlanId: plan.id, page, visibility });
    for (const order of rows) this.loaders.orderById.prime(order.id, order);
    return toConnection(rows, page, ORDER_CURSOR, (order) => order.id, () => this.loaders.visitCountByPlan.load({ carePlanId: plan.id, visibility }));
  }

  /** Station staff start visits to a beneficiary of their subtree. */
  async create(raw: unknown): Promise<CarePlan> {
    const claims = this.actor.requireRole(...STATION_STAFF);
    const input = parseInput(createCarePlanInput, raw);
    const plan = await this.dataSource.transaction(async (manager) => {
      const station = await findUnit(manager, input.stationId);
      if (!station) throw unknownUnit('input.stationId', input.stationId);
      this.actor.requireScope(station.path, ...STATION_STAFF);
      if (station.level !== 'STATION' && station.level !== 'POINT') throw notStation('input.stationId', station);
      const [row] = await manager.query(
        `INSERT INTO care_plan (beneficiary_name, beneficiary_phone, special_group, address, lat, lng, station_id, station_path,
                                squad_id, frequency, next_visit_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
        [
          input.beneficiary.name,
          input.beneficiary.phone ?? null,
          input.beneficiary.specialGroup,
          input.address ?? null,
          input.location?.lat ?? null,
          input.location?.lng ?? null,
          station.id,
          station.path,
          input.squadId ?? null,
          input.frequency,
          input.firstVisitAt,
          claims.sub,
        ],
      );
      const plan = hydrate(manager, CarePlan, [row])[0]!;
      await setVolunteers(manager, plan.id, input.volunteerIds ?? []);
      await recordScheduled(manager, plan, actorOf(claims));
      return plan;
    });
    this.eventsWritten();
    return this.fresh(plan);
  }

  /** Changes the frequency or the visitors, or pauses or resumes the plan. */
  async update(raw: unknown): Promise<CarePlan> {
    const claims = this.actor.requireRole(...STATION_STAFF);
    const input = parseInput(updateCarePlanInput, raw);
    const plan = await this.dataSource.transaction(async (manager) => {
      const current = await lockPlan(manager, input.id);
      if (!current) throw this.hidden(input.id);
      this.actor.requireScope(current.stationPath, ...STATION_STAFF);
      const [[row]] = await manager.query(
        `UPDATE care_plan SET frequency = coalesce($2, frequency), active = coalesce($3, active), updated_at = now()
          WHERE id = $1 RETURNING *`,
        [current.id, input.frequency ?? null, input.active ?? null],
      );
      const plan = hydrate(manager, CarePlan, [row])[0]!;
      if (input.volunteerIds) await setVolunteers(manager, plan.id, input.volunteerIds);
      await recordScheduled(manager, plan, actorOf(claims));
      return plan;
    });
    this.eventsWritten();
    return this.fresh(plan);
  }

  /**
   * The dispatch worker turns the visit due at `dueAt` into a patrol order, dispatched to the plan's station at
   * once, and the plan's next visit moves on by its frequency. Once per plan and due time: asked again, it returns
   * the same order and changes nothing. A paused plan makes no new visits (INVALID_TRANSITION).
   */
  async recordVisit(raw: unknown): Promise<ServiceOrder> {
    const claims = this.actor.requireRole('SERVICE');
    const input = parseInput(carePlanVisitInput, raw);
    let created = false;
    const order = await this.dataSource.transaction(async (manager) => {
      const plan = await lockPlan(manager, input.carePlanId);
      if (!plan) throw new NotFound('CarePlan', input.carePlanId, '关爱计划');
      const [existing] = await manager.query('SELECT * FROM service_order WHERE care_plan_id = $1 AND visit_due_at = $2', [plan.id, input.dueAt]);
      if (existing) return hydrate(manager, ServiceOrder, [existing])[0]!;
      if (!plan.active) {
        throw new InvalidTransition({ entity: 'care plan', entityZh: '关爱计划', from: 'PAUSED', fromZh: '已暂停', event: 'recordVisit', eventZh: '生成走访' });
      }
      const station = await findUnit(manager, plan.stationId);
      const doer: Doer = { event: { system: claims.sub }, personId: null, role: 'SYSTEM', unitId: null };
      const visit = await insertDispatchedOrder(
        manager,
        {
          source: 'PATROL',
          channel: 'OFFLINE',
          category: VISIT_CATEGORY[plan.specialGroup],
          title: `${FREQUENCY_ZH[plan.frequency]}关爱走访：${maskName(plan.beneficiaryName)}`,
          address: plan.address,
          location: plan.lat !== null && plan.lng !== null ? { lat: plan.lat, lng: plan.lng } : null,
          requesterPersonId: null,
          requesterHomePath: plan.stationPath,
          beneficiary: { name: plan.beneficiaryName, phone: plan.beneficiaryPhone, specialGroup: plan.specialGroup },
          urgency: 'NORMAL',
          carePlanId: plan.id,
          visitDueAt: input.dueAt,
        },
        { id: plan.stationId, path: plan.stationPath, name: station?.name ?? plan.stationId },
        doer,
        (now) => stageDeadline(this.minutes, 'ACCEPT', 'NORMAL', now),
      );
      await recordEvent(manager, {
        type: 'carePlan.visit.due',
        actor: doer.event,
        unitPath: plan.stationPath,
        payload: { carePlanId: plan.id, orderId: visit.id, beneficiary: maskName(plan.beneficiaryName), dueAt: input.dueAt.toISOString() },
      });
      const [[row]] = await manager.query(
        `UPDATE care_plan SET next_visit_at = greatest(next_visit_at, $2::timestamptz + $3::interval), updated_at = now() WHERE id = $1 RETURNING *`,
        [plan.id, input.dueAt, INTERVAL[plan.frequency]],
      );
      await recordScheduled(manager, hydrate(manager, CarePlan, [row])[0]!, doer.event);
      created = true;
      return visit;
    });
    if (created) this.eventsWritten();
    this.loaders.orderById.clear(order.id).prime(order.id, order);
    this.loaders.carePlanById.clear(input.carePlanId);
    return order;
  }

  /** The dispatch worker flags a visit that was not delivered in time; counted once per visit order. */
  async markMissed(raw: unknown): Promise<CarePlan> {
    const claims = this.actor.requireRole('SERVICE');
    const input = parseInput(missedVisitInput, raw);
    let flagged = false;
    const plan = await this.dataSource.transaction(async (manager) => {
      const plan = await lockPlan(manager, input.carePlanId);
      if (!plan) throw new NotFound('CarePlan', input.carePlanId, '关爱计划');
      const [visit] = await manager.query('SELECT id::text, visit_due_at, visit_missed FROM service_order WHERE id = $1 AND care_plan_id = $2', [
        input.orderId,
        plan.id,
      ]);
      if (!visit) throw notVisitOfPlan('input.orderId', input.orderId);
      if (visit.visit_missed) return plan;
      await manager.query('UPDATE service_order SET visit_missed = true, updated_at = now() WHERE id = $1', [visit.id]);
      const [[row]] = await manager.query('UPDATE care_plan SET missed_visits = missed_visits + 1, updated_at = now() WHERE id = $1 RETURNING *', [plan.id]);
      await recordEvent(manager, {
        type: 'carePlan.visit.missed',
        actor: { system: claims.sub },
        unitPath: plan.stationPath,
        payload: { carePlanId: plan.id, orderId: visit.id, beneficiary: maskName(plan.beneficiaryName), dueAt: new Date(visit.visit_due_at).toISOString() },
      });
      flagged = true;
      return hydrate(manager, CarePlan, [row])[0]!;
    });
    if (flagged) this.eventsWritten();
    return this.fresh(plan);
  }

  private hidden(id: string): DomainError {
    return this.actor.hasRole(...READ_EVERYWHERE) ? new NotFound('CarePlan', id, '关爱计划') : new Forbidden();
  }

  private fresh(plan: CarePlan): CarePlan {
    this.loaders.carePlanById.clear(plan.id).prime(plan.id, plan);
    this.loaders.carePlanVolunteers.clear(plan.id);
    return plan;
  }
}

function actorOf(claims: Claims): EventActor {
  return claims.roles.includes('SERVICE') ? { system: claims.sub } : { personId: claims.sub, roles: claims.roles };
}

async function lockPlan(manager: EntityManager, id: string): Promise<CarePlan | null> {
  const rows = await manager.query('SELECT * FROM care_plan WHERE id = $1 FOR UPDATE', [id]);
  return hydrate(manager, CarePlan, rows)[0] ?? null;
}

/** Replaces the plan's visitors (ids kept as given, like an order's assignees). */
async function setVolunteers(manager: EntityManager, planId: string, volunteerIds: string[]): Promise<void> {
  await manager.query('DELETE FROM care_plan_volunteer WHERE care_plan_id = $1', [planId]);
  if (volunteerIds.length === 0) return;
  await manager.query('INSERT INTO care_plan_volunteer (care_plan_id, volunteer_id) SELECT $1, v FROM unnest($2::bigint[]) AS v ON CONFLICT DO NOTHING', [
    planId,
    volunteerIds,
  ]);
}

/** Tells the dispatch worker when the plan's next visit is due (or that it is paused). */
async function recordScheduled(manager: EntityManager, plan: CarePlan, actor: EventActor): Promise<void> {
  await recordEvent(manager, {
    type: 'carePlan.scheduled',
    actor,
    unitPath: plan.stationPath,
    payload: { carePlanId: plan.id, stationId: plan.stationId, frequency: plan.frequency, nextVisitAt: plan.nextVisitAt.toISOString(), active: plan.active },
  });
}
