import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, Claims } from '@kz/auth';
import { hydrate } from '@kz/db';
import { BadUserInput, Forbidden } from '@kz/errors';
import { findUnit } from '@kz/org-replica';
import { Conditions, Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { PointsLoaders } from '../loaders';
import { LimitPeriod, Reward, RewardAudit } from './reward.entity';
import { createRewardInput, MAX_STOCK, restockRewardInput, RewardFilter, updateRewardInput } from './reward.input';
import { AVAILABLE_SQL, REWARD_ADMINS, REWARD_AUDITORS, rewardInScope } from './reward-scope';

const CURSOR_KIND = 'reward';

type Changes = Record<string, { from: unknown; to: unknown }>;

/** The fields of a reward that `updateReward` may change, and their columns. */
const UPDATABLE = {
  name: 'name',
  description: 'description',
  price: 'price',
  perPersonLimit: 'per_person_limit',
  limitPeriod: 'limit_period',
  activeFrom: 'active_from',
  activeUntil: 'active_until',
} as const;
type Updatable = keyof typeof UPDATABLE;

const comparable = (value: unknown) => (value instanceof Date ? value.toISOString() : (value ?? null));

/**
 * The rewards catalogue: who offers what where, and the rules of creating, changing and restocking rewards. Every
 * change writes its audit line in the same transaction.
 */
export class RewardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: PointsLoaders,
  ) {}

  /** A reward by id: the catalogue is open to every signed-in caller. */
  async get(id: string): Promise<Reward | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.rewardById.load(id) : null;
  }

  /** Rewards matching the filter, newest first. */
  async list(filter: RewardFilter | null | undefined, args: PageArgs): Promise<Connection<Reward>> {
    const claims = this.actor.requireAuthenticated();
    const page = readPage(args, CURSOR_KIND);
    const conditions = new Conditions();
    const { unitId, kind, affordable } = filter ?? {};
    if (unitId) {
      const unit = await findUnit(this.dataSource.manager, unitId);
      if (!unit) conditions.add('false');
      else {
        const p = conditions.param(unit.path);
        conditions.add(`(r.unit_id IS NULL OR r.unit_path = ${p} OR r.unit_path LIKE ${p} || '/%')`);
      }
    }
    if (kind) conditions.add(`r.kind = ${conditions.param(kind)}`);
    if (affordable) conditions.add(`r.price <= ${conditions.param(await this.availablePoints(claims))}`);
    // Residents browse what they can redeem now; staff also see what is sold out or not yet (or no longer) offered.
    if (filter?.availableOnly ?? !this.actor.isStaff) conditions.add(AVAILABLE_SQL);

    const counted = { where: conditions.where, params: [...conditions.params] };
    if (page.afterKey) {
      if (!isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
      conditions.add(`r.id < ${conditions.param(page.afterKey)}::bigint`);
    }
    const rows = await this.dataSource.query(
      `SELECT r.* FROM reward r ${conditions.where} ORDER BY r.id DESC LIMIT ${conditions.param(page.limit + 1)}`,
      conditions.params,
    );
    const rewards = hydrate(this.dataSource.manager, Reward, rows);
    for (const reward of rewards) this.loaders.rewardById.prime(reward.id, reward);
    return toConnection(rewards, page, CURSOR_KIND, (reward) => reward.id, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM reward r ${counted.where}`, counted.params);
      return row.n;
    });
  }

  /** The reward's changes, oldest first: staff in scope only. */
  async audit(reward: Reward): Promise<RewardAudit[]> {
    this.actor.requireAuthenticated();
    if (!rewardInScope(this.actor, reward, REWARD_AUDITORS)) throw new Forbidden();
    return this.loaders.rewardAudit.load(reward.id);
  }

  /** Creates a reward at a station of the caller's subtree, or district-wide (center admin). */
  async create(raw: unknown): Promise<Reward> {
    const claims = this.actor.requireRole(...REWARD_ADMINS);
    const input = parseInput(createRewardInput, raw);
    return this.dataSource.transaction(async (manager) => {
      let station: { id: string; path: string } | null = null;
      if (input.stationId) {
        const unit = await findUnit(manager, input.stationId);
        if (!unit) throw new BadUserInput('input.stationId', { key: 'input.unknownReference', entity: 'station', entityZh: '实践站', id: input.stationId });
        if (unit.level !== 'STATION') throw new BadUserInput('input.stationId', { key: 'input.invalid', detail: `${unit.name} is not a station` });
        this.actor.requireScope(unit.path, ...REWARD_ADMINS);
        station = { id: unit.id, path: unit.path };
      } else {
        this.actor.requireRole('CENTER_ADMIN');
      }
      const stock = input.stock ?? null;
      if (input.kind === 'GOODS' && stock === null) throw new BadUserInput('input.stock', { key: 'input.required' });
      if (input.kind === 'SERVICE' && stock !== null) throw new BadUserInput('input.stock', { key: 'input.invalid', detail: 'a service has no stock' });
      const limit = this.checkedLimit(input.perPersonLimit ?? null, input.limitPeriod ?? null);
      this.checkWindow(input.activeFrom ?? null, input.activeUntil ?? null);
      const [row] = await manager.query(
        `INSERT INTO reward (name, description, kind, price, unit_id, unit_path, stock, per_person_limit, limit_period, active_from, active_until, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
        [
          input.name,
          input.description ?? null,
          input.kind,
          input.price,
          station?.id ?? null,
          station?.path ?? null,
          stock,
          limit.perPersonLimit,
          limit.limitPeriod,
          input.activeFrom ?? null,
          input.activeUntil ?? null,
          claims.sub,
        ],
      );
      const reward = hydrate(manager, Reward, [row])[0]!;
      const changes: Changes = {};
      for (const field of ['name', 'description', 'kind', 'price', 'unitId', 'stock', 'perPersonLimit', 'limitPeriod', 'activeFrom', 'activeUntil'] as const) {
        if (reward[field] !== null) changes[field] = { from: null, to: comparable(reward[field]) };
      }
      await this.addAudit(manager, { rewardId: reward.id, action: 'CREATED', stockDelta: stock, changes, by: claims.sub });
      return reward;
    });
  }

  /** Changes a reward's name, price, limit or window; redemptions already made keep their price. */
  async update(raw: unknown): Promise<Reward> {
    const claims = this.actor.requireRole(...REWARD_ADMINS);
    const input = parseInput(updateRewardInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.mustFind(manager, input.id, 'input.id');
      this.requireManages(current);
      const next: Pick<Reward, Updatable> = {
        name: input.name ?? current.name,
        description: input.description === undefined ? current.description : input.description,
        price: input.price ?? current.price,
        perPersonLimit: input.perPersonLimit === undefined ? current.perPersonLimit : input.perPersonLimit,
        limitPeriod: input.limitPeriod === undefined ? current.limitPeriod : input.limitPeriod,
        activeFrom: input.activeFrom === undefined ? current.activeFrom : input.activeFrom,
        activeUntil: input.activeUntil === undefined ? current.activeUntil : input.activeUntil,
      };
      // Removing the limit removes its period with it.
      if (input.perPersonLimit === null && input.limitPeriod === undefined) next.limitPeriod = null;
      const limit = this.checkedLimit(next.perPersonLimit, next.limitPeriod);
      Object.assign(next, limit);
      this.checkWindow(next.activeFrom, next.activeUntil);
      const changes: Changes = {};
      for (const field of Object.keys(UPDATABLE) as Updatable[]) {
        if (comparable(current[field]) !== comparable(next[field])) changes[field] = { from: comparable(current[field]), to: comparable(next[field]) };
      }
      if (Object.keys(changes).length === 0) return current;
      const fields = Object.keys(changes) as Updatable[];
      const [[row]] = await manager.query(
        `UPDATE reward SET ${fields.map((field, i) => `${UPDATABLE[field]} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1 RETURNING *`,
        [current.id, ...fields.map((field) => next[field])],
      );
      await this.addAudit(manager, { rewardId: current.id, action: 'UPDATED', changes, by: claims.sub });
      return hydrate(manager, Reward, [row])[0]!;
    });
  }

  /** Adds goods to the stock, or writes some off (never below zero: reserved items have left the stock already). */
  async restock(raw: unknown): Promise<Reward> {
    const claims = this.actor.requireRole(...REWARD_ADMINS);
    const input = parseInput(restockRewardInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.mustFind(manager, input.id, 'input.id');
      this.requireManages(current);
      if (current.stock === null) throw new BadUserInput('input.id', { key: 'input.invalid', detail: 'a service has no stock' });
      const stock = current.stock + input.delta;
      if (stock < 0 || stock > MAX_STOCK) {
        throw new BadUserInput('input.delta', { key: 'input.outOfRange', min: -current.stock, max: MAX_STOCK - current.stock });
      }
      const [[row]] = await manager.query('UPDATE reward SET stock = $2, updated_at = now() WHERE id = $1 RETURNING *', [current.id, stock]);
      await this.addAudit(manager, {
        rewardId: current.id,
        action: 'RESTOCKED',
        stockDelta: input.delta,
        changes: { stock: { from: current.stock, to: stock } },
        reason: input.reason,
        by: claims.sub,
      });
      return hydrate(manager, Reward, [row])[0]!;
    });
  }

  /** The points the caller can spend now; 0 without an account. */
  private async availablePoints(claims: Claims): Promise<number> {
    if (!isBigintId(claims.sub)) return 0;
    const [row] = await this.dataSource.query('SELECT (balance - reserved)::bigint AS available FROM points_account WHERE person_id = $1', [claims.sub]);
    return row ? Number(row.available) : 0;
  }

  private requireManages(reward: Reward): void {
    if (!rewardInScope(this.actor, reward, REWARD_ADMINS)) throw new Forbidden();
  }

  private checkedLimit(perPersonLimit: number | null, limitPeriod: LimitPeriod | null): { perPersonLimit: number | null; limitPeriod: LimitPeriod | null } {
    if (perPersonLimit !== null && limitPeriod === null) throw new BadUserInput('input.limitPeriod', { key: 'input.required' });
    if (perPersonLimit === null && limitPeriod !== null) throw new BadUserInput('input.perPersonLimit', { key: 'input.required' });
    return { perPersonLimit, limitPeriod };
  }

  private checkWindow(activeFrom: Date | null, activeUntil: Date | null): void {
    if (activeFrom && activeUntil && activeUntil <= activeFrom) throw new BadUserInput('input.activeUntil', { key: 'activity.endsBeforeStart' });
  }

  /** The reward, locked for the change; an unknown id is bad input (the catalogue is public, so nothing is hidden). */
  private async mustFind(manager: EntityManager, id: string, field: string): Promise<Reward> {
    const rows = await manager.query('SELECT * FROM reward WHERE id = $1 FOR UPDATE', [id]);
    const [reward] = hydrate(manager, Reward, rows);
    if (!reward) throw new BadUserInput(field, { key: 'input.unknownReference', entity: 'reward', entityZh: '奖品', id });
    return reward;
  }

  private async addAudit(
    manager: EntityManager,
    entry: { rewardId: string; action: RewardAudit['action']; stockDelta?: number | null; changes: Changes; reason?: string; by: string },
  ): Promise<void> {
    await manager.query(
      'INSERT INTO reward_audit (reward_id, action, stock_delta, changes, reason, changed_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [entry.rewardId, entry.action, entry.stockDelta ?? null, JSON.stringify(entry.changes), entry.reason ?? null, entry.by],
    );
  }
}
