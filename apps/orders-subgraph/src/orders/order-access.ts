import type { EntityManager } from 'typeorm';
import { Actor, Role } from '@kz/auth';
import { Forbidden } from '@kz/errors';
import type { OrderLoaders, Visibility } from './order.loaders';
import type { ServiceOrder } from './order.entity';
import { EVERYWHERE_ROLES, Mover, moversOf, OrderMove } from './order-state-machine';

/** Staff who read the orders of their subtree. */
export const SCOPED_READERS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER', 'ANALYST'];
/** Roles that read every order. */
export const READ_EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER', 'SERVICE'];
/** Staff who see a beneficiary's name and phone in clear (in scope); analysts and the worker see them masked. */
const PERSONAL_DATA_STAFF: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER'];
const PERSONAL_DATA_EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER'];

/**
 * Who sees and moves which orders (`ROLES.md`): residents their own (placed by or for them), volunteers those
 * assigned to them, staff their subtree (the order's station, or before dispatch the requester's home station),
 * the center and the dispatch worker everything. Decided here, with the token's claims and this database only.
 */
export class OrderAccess {
  private volunteerIds: Promise<Set<string>> | undefined;

  constructor(
    private readonly actor: Actor,
    private readonly manager: EntityManager,
    private readonly loaders: OrderLoaders,
  ) {}

  get readsEverything(): boolean {
    return this.actor.hasRole(...READ_EVERYWHERE);
  }

  isRequester(order: Pick<ServiceOrder, 'requesterPersonId' | 'placedByPersonId'>): boolean {
    const me = this.actor.personId;
    return !!me && (order.requesterPersonId === me || order.placedByPersonId === me);
  }

  /** Staff whose subtree holds the order's scope path, for one of `roles`. */
  staffInScope(order: Pick<ServiceOrder, 'scopePath'>, roles: Role[]): boolean {
    return order.scopePath !== null && this.actor.inScope(order.scopePath, roles);
  }

  /** The ids of the volunteer profiles of the caller (one lookup per request, and only for volunteers). */
  myVolunteerIds(): Promise<Set<string>> {
    if (!this.volunteerIds) {
      const me = this.actor.personId;
      this.volunteerIds =
        me && this.actor.hasRole('VOLUNTEER')
          ? this.manager
              .query('SELECT id::text FROM volunteer_ref WHERE person_id = $1', [me])
              .then((rows: { id: string }[]) => new Set(rows.map((row) => row.id)))
          : Promise.resolve(new Set());
    }
    return this.volunteerIds;
  }

  async isAssignee(order: Pick<ServiceOrder, 'id'>): Promise<boolean> {
    if (!this.actor.hasRole('VOLUNTEER')) return false;
    const [mine, assignees] = await Promise.all([this.myVolunteerIds(), this.loaders.assigneesByOrder.load(order.id)]);
    return assignees.some((assignee) => mine.has(assignee.volunteerId));
  }

  async canSee(order: ServiceOrder): Promise<boolean> {
    if (this.readsEverything || this.isRequester(order) || this.staffInScope(order, SCOPED_READERS)) return true;
    return this.isAssignee(order);
  }

  /** Whether the beneficiary's name and phone show in clear: the requester and staff in scope, masked for others. */
  seesPersonalData(order: ServiceOrder): boolean {
    return this.isRequester(order) || this.actor.hasRole(...PERSONAL_DATA_EVERYWHERE) || this.staffInScope(order, PERSONAL_DATA_STAFF);
  }

  /**
   * A unit's own order list (`PracticeUnit.orders`) is for those who read every order and staff whose subtree holds
   * the unit; anyone else, and anyone but the former for a unit not known here, is FORBIDDEN rather than shown an
   * empty list (docs/api.md, "Fields outside your scope").
   */
  requireUnitScope(unit: { path: string } | null): void {
    this.actor.requireAuthenticated();
    if (this.readsEverything) return;
    if (!unit || !this.actor.inScope(unit.path, SCOPED_READERS)) throw new Forbidden();
  }

  /** The same rule as `canSee`, as SQL over `service_order o`. */
  visibility(): Visibility {
    const claims = this.actor.requireAuthenticated();
    if (this.readsEverything) return { key: 'all', sql: () => ({ sql: 'true', params: [] }) };
    const staffPath = this.actor.hasRole(...SCOPED_READERS) ? (claims.unitPath ?? null) : null;
    const volunteer = this.actor.hasRole('VOLUNTEER');
    return {
      key: `${claims.sub}|${staffPath ?? ''}|${volunteer}`,
      sql: (first) => {
        const me = `$${first}`;
        const parts = [`o.requester_person_id = ${me}`, `o.placed_by_person_id = ${me}`];
        const params: unknown[] = [claims.sub];
        if (volunteer) {
          parts.push(`EXISTS (SELECT 1 FROM order_assignee a JOIN volunteer_ref v ON v.id = a.volunteer_id
                               WHERE a.order_id = o.id AND v.person_id = ${me})`);
        }
        if (staffPath) {
          params.push(staffPath);
          const path = `$${first + 1}::text`;
          parts.push(`(o.scope_path = ${path} OR o.scope_path LIKE ${path} || '/%')`);
        }
        return { sql: `(${parts.join(' OR ')})`, params };
      },
    };
  }

  /**
   * Who the caller may make `move` as, on this order as it stands (whatever its state): a role of theirs that the
   * table allows and whose scope holds the order, else the requester, else an assignee; null if none.
   */
  /**
   * Who the caller moves the order as, or null. Inside a move's transaction pass its `manager`: the assignee check then
   * reads on the transaction's own connection, under the order's row lock (a second pool connection taken while the
   * lock is held would starve the pool when many moves of one order queue on that lock).
   */
  async moverFor(order: ServiceOrder, move: OrderMove, manager?: EntityManager): Promise<Mover | null> {
    const claims = this.actor.claims;
    if (!claims) return null;
    const movers = moversOf(move);
    for (const role of claims.roles) {
      if (!movers.includes(role)) continue;
      if (EVERYWHERE_ROLES.includes(role) || this.staffInScope(order, [role])) return role;
    }
    if (movers.includes('REQUESTER') && this.isRequester(order)) return 'REQUESTER';
    if (movers.includes('ASSIGNEE') && (await (manager ? this.isAssigneeNow(order, manager) : this.isAssignee(order)))) return 'ASSIGNEE';
    return null;
  }

  /** `isAssignee` read on the given connection, as the assignments are now (not through the request's loaders). */
  private async isAssigneeNow(order: Pick<ServiceOrder, 'id'>, manager: EntityManager): Promise<boolean> {
    const me = this.actor.personId;
    if (!me || !this.actor.hasRole('VOLUNTEER')) return false;
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM order_assignee a JOIN volunteer_ref v ON v.id = a.volunteer_id WHERE a.order_id = $1 AND v.person_id = $2 LIMIT 1`,
      [order.id, me],
    );
    return rows.length > 0;
  }

  /** The role a person acted in, for the timeline: their role, or for a requester or assignee what they are. */
  roleOf(mover: Mover): string {
    if (mover === 'REQUESTER') {
      const roles = this.actor.claims?.roles ?? [];
      return roles.includes('RESIDENT') ? 'RESIDENT' : (roles[0] ?? 'RESIDENT');
    }
    if (mover === 'ASSIGNEE') return 'VOLUNTEER';
    return mover;
  }
}
