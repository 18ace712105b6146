import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, Claims } from '@kz/auth';
import { hydrate } from '@kz/db';
import { BadUserInput, DomainError, Forbidden, InvalidTransition, NotFound } from '@kz/errors';
import { catalog, EventActor, recordEvent } from '@kz/events';
import { findUnit } from '@kz/org-replica';
import { Conditions, Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import { currentRequestScope } from '@kz/telemetry';
import { ensurePersonAccount } from '../accounts/account-opening';
import { FastAnswer, once, onceFast } from '../ledger/idempotency';
import { postPending, postTransaction, systemAccountId, voidPending } from '../ledger/ledger';
import type { PointsLoaders } from '../loaders';
import { newPickupCode, normalizePickupCode } from './pickup-code';
import { Redemption } from './redemption.entity';
import {
  EVENT_ZH,
  nextStatus,
  PICKUP_STAFF,
  REDEEMERS,
  REDEMPTION_READERS,
  REDEMPTION_STATUSES,
  RedemptionEvent,
  RedemptionStatus,
  STATUS_ZH,
  targetOf,
} from './redemption-state-machine';
import { Reward } from './reward.entity';
import { LimitReached, OutOfStock, PickupCodeNotFound, RewardUnavailable } from './reward.errors';
import { cancelRedemptionInput, pickupCodeInput, RedeemRewardInput, redeemRewardInput, RedemptionFilter } from './reward.input';
import { ACTIVE_SQL } from './reward-scope';

const CURSOR_KIND = 'redemption';

/** Settings of redemptions, from the configuration. */
export interface RedemptionSettings {
  /** How long a reservation holds its points and stock for pickup. */
  holdSeconds: number;
}

/** Thrown by the expiry timer when it arrives before the reservation's time is up (clocks differ): try again later. */
export class ExpiryNotDue extends Error {
  constructor(redemptionId: string) {
    super(`redemption ${redemptionId} is not due to expire yet`);
    this.name = 'ExpiryNotDue';
  }
}

function actorOf(claims: Claims): EventActor {
  return { personId: claims.sub, roles: claims.roles };
}

/**
 * Redemptions: reserving stock and points together, handing over at pickup, cancelling and expiring. Each move is one
 * database transaction with its ledger effect, its stock effect and its event, so they happen together or not at all.
 */
export class RedemptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: PointsLoaders,
    private readonly settings: RedemptionSettings,
    private readonly eventsWritten: () => void,
  ) {}

  /** A redemption its holder or staff in scope may see; null otherwise. */
  async get(id: string): Promise<Redemption | null> {
    this.actor.requireAuthenticated();
    if (!isBigintId(id)) return null;
    const redemption = await this.loaders.redemptionById.load(id);
    return redemption && this.canSee(redemption) ? redemption : null;
  }

  /** The pickup code, for the holder and the staff who hand the reward over; null for anyone else. */
  pickupCodeOf(redemption: Redemption): string | null {
    return this.isHolder(redemption) || this.staffInScope(redemption, PICKUP_STAFF) ? redemption.pickupCode : null;
  }

  /** Redemptions the caller may see matching the filter, newest first. */
  async list(filter: RedemptionFilter | null | undefined, args: PageArgs): Promise<Connection<Redemption>> {
    const claims = this.actor.requireAuthenticated();
    const page = readPage(args, CURSOR_KIND);
    const conditions = new Conditions();
    const own = isBigintId(claims.sub) ? `r.person_id = ${conditions.param(claims.sub)}` : 'false';
    if (filter?.mine) conditions.add(own);
    else if (!this.actor.hasRole('CENTER_ADMIN')) {
      const parts = [own];
      if (this.actor.hasRole(...REDEMPTION_READERS) && claims.unitPath) {
        const p = conditions.param(claims.unitPath);
        parts.push(`(r.station_path = ${p} OR r.station_path LIKE ${p} || '/%')`);
      }
      conditions.add(`(${parts.join(' OR ')})`);
    }
    if (filter?.status && (REDEMPTION_STATUSES as readonly string[]).includes(filter.status)) {
      conditions.add(`r.status = ${conditions.param(filter.status)}`);
    }
    if (filter?.unitId) {
      const unit = await findUnit(this.dataSource.manager, filter.unitId);
      if (!unit) conditions.add('false');
      else conditions.within('r.station_path', unit.path);
    }
    const counted = { where: conditions.where, params: [...conditions.params] };
    if (page.afterKey) {
      if (!isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
      conditions.add(`r.id < ${conditions.param(page.afterKey)}::bigint`);
    }
    const rows = await this.dataSource.query(
      `SELECT r.* FROM redemption r ${conditions.where} ORDER BY r.id DESC LIMIT ${conditions.param(page.limit + 1)}`,
      conditions.params,
    );
    const redemptions = hydrate(this.dataSource.manager, Redemption, rows);
    for (const redemption of redemptions) this.loaders.redemptionById.prime(redemption.id, redemption);
    return toConnection(redemptions, page, CURSOR_KIND, (redemption) => redemption.id, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM redemption r ${counted.where}`, counted.params);
      return row.n;
    });
  }

  /**
   * Reserves `quantity` items and their points together, once per idempotency key, and returns the redemption with
   * its pickup code. Nothing is reserved unless both the stock and the points are there.
   */
  async redeem(raw: unknown): Promise<Redemption> {
    const claims = this.actor.requireRole(...REDEEMERS);
    if (!isBigintId(claims.sub)) throw new Forbidden(); // only people hold points
    const input = parseInput(redeemRewardInput, raw);
    const claim = { actor: claims.sub, key: input.idempotencyKey, operation: 'redeemReward', request: { rewardId: input.rewardId, quantity: input.quantity } };
    const general = () => once(this.dataSource, claim, async (manager) => ({ redemptionId: (await this.reserve(manager, claims, input)).id }));
    // The common case in one statement (points_redeem): the hot reward's row is held from its stock UPDATE, the
    // function's last write, to the commit, with no round trip in between.
    const { result, replayed, row } = isBigintId(input.rewardId)
      ? await onceFast<{ redemptionId: string }, FastAnswer & Record<string, unknown>>(
          claim,
          async (requestHash) =>
            this.dataSource.query('SELECT * FROM points_redeem($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)', [
              claims.sub,
              input.idempotencyKey,
              requestHash,
              claims.sub,
              input.rewardId,
              input.quantity,
              newPickupCode(),
              this.settings.holdSeconds,
              randomUUID(),
              catalog['points.redemption.reserved'].version,
              randomUUID(),
              catalog['points.service.redeemed'].version,
              JSON.stringify(actorOf(claims)),
              new Date().toISOString(),
              currentRequestScope()?.requestId ?? null,
            ]),
          general,
        )
      : { ...(await general()), row: undefined };
    if (!replayed) this.eventsWritten();
    // A reservation just made by the fast path comes back with it; a replay or the general path reads it.
    if (row && !replayed) this.loaders.redemptionById.prime(result.redemptionId, hydrate(this.dataSource.manager, Redemption, [row])[0]!);
    return (await this.loaders.redemptionById.load(result.redemptionId))!;
  }

  /**
   * Station staff hand the reward over: the held points are spent, once. Only counter roles may try (others are
   * FORBIDDEN); for them a code not held in their scope is NOT_FOUND, whether it exists elsewhere or nowhere.
   */
  async fulfil(raw: unknown): Promise<Redemption> {
    const claims = this.actor.requireRole(...PICKUP_STAFF);
    const input = parseInput(pickupCodeInput, raw);
    const code = normalizePickupCode(input.code);
    if (!code) throw new BadUserInput('input.code', { key: 'input.invalidFormat' });
    const redemption = await this.dataSource.transaction(async (manager) => {
      const rows = await manager.query('SELECT * FROM redemption WHERE pickup_code = $1 FOR UPDATE', [code]);
      const [current] = hydrate(manager, Redemption, rows);
      // Counter staff look a code up among their own stations' redemptions: an unknown code and one held elsewhere
      // are the same "no such code here" (NOT_FOUND), so a typo is named as one and nothing leaks about other stations.
      if (!current || !this.staffInScope(current, PICKUP_STAFF)) throw new PickupCodeNotFound(code);
      assertAllowed(current.status, 'fulfil');
      await postPending(manager, current.transactionId);
      const fulfilled = await resolveRedemption(manager, current, 'FULFILLED', claims.sub);
      await recordRedemptionEvent(manager, 'points.redemption.fulfilled', fulfilled, actorOf(claims));
      return fulfilled;
    });
    this.eventsWritten();
    return redemption;
  }

  /** Its holder or staff in scope cancel a reservation: the points and the stock return. */
  async cancel(raw: unknown): Promise<Redemption> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(cancelRedemptionInput, raw);
    const redemption = await this.dataSource.transaction(async (manager) => {
      const rows = await manager.query('SELECT * FROM redemption WHERE id = $1 FOR UPDATE', [input.redemptionId]);
      const [current] = hydrate(manager, Redemption, rows);
      if (!current) throw this.hidden('Redemption', input.redemptionId);
      if (!this.isHolder(current) && !this.staffInScope(current, PICKUP_STAFF)) throw new Forbidden();
      assertAllowed(current.status, 'cancel');
      return releaseReservation(manager, current, 'CANCELLED', claims.sub, actorOf(claims));
    });
    this.eventsWritten();
    return redemption;
  }

  /**
   * The reservation itself, in the caller's transaction. Order matters for contention: the person's account row is
   * locked first (limit check, points hold), and the reward's row, which every redeemer of the reward wants, last, so
   * it is held only for the conditional stock UPDATE and the commit.
   */
  private async reserve(manager: EntityManager, claims: Claims, input: RedeemRewardInput): Promise<Redemption> {
    const [row] = await manager.query(`SELECT r.*, ${ACTIVE_SQL} AS active FROM reward r WHERE r.id = $1`, [input.rewardId]);
    if (!row) throw new BadUserInput('input.rewardId', { key: 'input.unknownReference', entity: 'reward', entityZh: '奖品', id: input.rewardId });
    const reward = hydrate(manager, Reward, [row])[0]!;
    if (!row.active) throw new RewardUnavailable(reward.id, reward.activeFrom, reward.activeUntil);
    if (reward.stock !== null && reward.stock < input.quantity) throw new OutOfStock(reward.id, reward.stock); // early answer; the UPDATE decides
    const account = await ensurePersonAccount(manager, claims.sub);
    if (reward.perPersonLimit !== null && reward.limitPeriod !== null) {
      // The account row lock makes one person's redemptions take turns, so two at once cannot both pass the limit.
      await manager.query('SELECT id FROM points_account WHERE id = $1 FOR UPDATE', [account.id]);
      const [{ used }] = await manager.query(
        `SELECT coalesce(sum(quantity), 0)::int AS used FROM redemption
          WHERE reward_id = $1 AND person_id = $2 AND status IN ('RESERVED', 'FULFILLED')
            AND created_at >= date_trunc($3, now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'`,
        [reward.id, claims.sub, reward.limitPeriod.toLowerCase()],
      );
      if (used + input.quantity > reward.perPersonLimit) throw new LimitReached(reward.id, reward.perPersonLimit, reward.limitPeriod, used);
    }
    const points = reward.price * input.quantity;
    const description = `兑换 ${reward.name} ×${input.quantity}`;
    const hold = await postTransaction(manager, {
      kind: 'REDEMPTION',
      pending: true,
      description,
      createdBy: claims.sub,
      postings: [
        { accountId: account.id, amount: -points },
        { accountId: await redemptionSink(manager), amount: points },
      ],
      metadata: { rewardId: reward.id, quantity: input.quantity },
    });
    const station = reward.unitId && reward.unitPath ? { id: reward.unitId, path: reward.unitPath } : await districtCenter(manager);
    const redemption = await insertWithPickupCode(manager, {
      rewardId: reward.id,
      accountId: account.id,
      personId: claims.sub,
      quantity: input.quantity,
      points,
      station,
      transactionId: hold.id,
      holdSeconds: this.settings.holdSeconds,
    });
    await recordRedemptionEvent(manager, 'points.redemption.reserved', redemption, actorOf(claims));
    if (reward.kind === 'SERVICE') {
      await recordEvent(manager, {
        type: 'points.service.redeemed',
        actor: actorOf(claims),
        unitPath: station.path,
        payload: { redemptionId: redemption.id, personId: claims.sub, rewardId: reward.id, stationId: station.id, description: `${reward.name} ×${input.quantity}` },
      });
    }
    if (reward.stock !== null) {
      const [taken] = await manager.query(
        'UPDATE reward SET stock = stock - $2, updated_at = now() WHERE id = $1 AND stock >= $2 RETURNING stock',
        [reward.id, input.quantity],
      );
      if (taken.length === 0) {
        const [left] = await manager.query('SELECT stock FROM reward WHERE id = $1', [reward.id]);
        throw new OutOfStock(reward.id, left.stock);
      }
    }
    return redemption;
  }

  private isHolder(redemption: Redemption): boolean {
    return this.actor.personId === redemption.personId;
  }

  private staffInScope(redemption: Redemption, roles: typeof PICKUP_STAFF): boolean {
    return redemption.stationPath !== null && this.actor.inScope(redemption.stationPath, roles);
  }

  private canSee(redemption: Redemption): boolean {
    return this.isHolder(redemption) || this.staffInScope(redemption, REDEMPTION_READERS);
  }

  /** An unknown id or code looks like one out of scope, except to the center admin, who is in scope everywhere. */
  private hidden(entity: string, id: string): DomainError {
    return this.actor.hasRole('CENTER_ADMIN') ? new NotFound(entity, id, '兑换记录') : new Forbidden();
  }
}

function assertAllowed(from: RedemptionStatus, event: RedemptionEvent): void {
  if (nextStatus(from, event)) return;
  const to = targetOf(event);
  throw new InvalidTransition({
    entity: 'redemption',
    entityZh: '兑换记录',
    from,
    fromZh: STATUS_ZH[from],
    event,
    eventZh: EVENT_ZH[event],
    to,
    toZh: STATUS_ZH[to],
  });
}

const sinks = new WeakMap<object, Promise<string>>();

/** The REDEMPTION system account's id, looked up once per database. */
function redemptionSink(manager: EntityManager): Promise<string> {
  let sink = sinks.get(manager.connection);
  if (!sink) {
    sink = systemAccountId(manager, 'REDEMPTION');
    sinks.set(manager.connection, sink);
    sink.catch(() => sinks.delete(manager.connection));
  }
  return sink;
}

/** Where district-wide rewards are picked up: the center. */
async function districtCenter(manager: EntityManager): Promise<{ id: string; path: string }> {
  const [center] = await manager.query(`SELECT id::text, path FROM unit_ref WHERE level = 'CENTER' ORDER BY id LIMIT 1`);
  if (!center) throw new Error('the unit replica has no center yet: district-wide rewards cannot be picked up anywhere');
  return center;
}

/**
 * Inserts the redemption with a fresh pickup code. A code already taken (about one chance in 10^11 per code) makes
 * the INSERT do nothing rather than fail the transaction, and another code is drawn.
 */
export async function insertWithPickupCode(
  manager: EntityManager,
  r: {
    rewardId: string;
    accountId: string;
    personId: string;
    quantity: number;
    points: number;
    station: { id: string; path: string };
    transactionId: string;
    holdSeconds: number;
  },
  drawCode: () => string = newPickupCode,
): Promise<Redemption> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const rows = await manager.query(
      `INSERT INTO redemption (reward_id, account_id, person_id, quantity, points, status, pickup_code, station_id, station_path, transaction_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'RESERVED', $6, $7, $8, $9, now() + make_interval(secs => $10))
       ON CONFLICT (pickup_code) DO NOTHING RETURNING *`,
      [r.rewardId, r.accountId, r.personId, r.quantity, r.points, drawCode(), r.station.id, r.station.path, r.transactionId, r.holdSeconds],
    );
    if (rows.length === 1) return hydrate(manager, Redemption, rows)[0]!;
  }
  throw new Error('no free pickup code after 5 draws');
}

/** Moves a reservation to its end state and stamps who did it. */
async function resolveRedemption(manager: EntityManager, redemption: Redemption, status: RedemptionStatus, by: string): Promise<Redemption> {
  const [[row]] = await manager.query(
    `UPDATE redemption SET status = $2, resolved_at = now(), resolved_by = $3 WHERE id = $1 AND status = 'RESERVED' RETURNING *`,
    [redemption.id, status, by],
  );
  return hydrate(manager, Redemption, [row])[0]!;
}

/** Voids the held points, returns the items to the stock and ends the reservation (cancelled or expired), with its event. */
async function releaseReservation(
  manager: EntityManager,
  redemption: Redemption,
  status: 'CANCELLED' | 'EXPIRED',
  by: string,
  actor: EventActor,
): Promise<Redemption> {
  await voidPending(manager, redemption.transactionId);
  await manager.query('UPDATE reward SET stock = stock + $2, updated_at = now() WHERE id = $1 AND stock IS NOT NULL', [redemption.rewardId, redemption.quantity]);
  const released = await resolveRedemption(manager, redemption, status, by);
  await recordRedemptionEvent(manager, status === 'CANCELLED' ? 'points.redemption.cancelled' : 'points.redemption.expired', released, actor);
  return released;
}

async function recordRedemptionEvent(
  manager: EntityManager,
  type: 'points.redemption.reserved' | 'points.redemption.fulfilled' | 'points.redemption.cancelled' | 'points.redemption.expired',
  redemption: Redemption,
  actor: EventActor,
): Promise<void> {
  // The pickup code stays out: events reach analytics and every consumer, and the code is as good as the goods.
  const payload = {
    redemptionId: redemption.id,
    accountId: redemption.accountId,
    rewardId: redemption.rewardId,
    quantity: redemption.quantity,
    points: Number(redemption.points),
    stationId: redemption.stationId!,
  };
  if (type === 'points.redemption.reserved') {
    await recordEvent(manager, { type, actor, unitPath: redemption.stationPath, payload: { ...payload, expiresAt: redemption.expiresAt.toISOString() } });
  } else {
    await recordEvent(manager, { type, actor, unitPath: redemption.stationPath, payload });
  }
}

/**
 * The expiry timer's effect, in the caller's transaction: a reservation whose time is up is voided and its stock
 * returned; one already fulfilled, cancelled or expired is left alone. Returns whether it expired it.
 */
export async function expireRedemption(manager: EntityManager, redemptionId: string): Promise<boolean> {
  const rows = await manager.query('SELECT *, expires_at <= now() AS due FROM redemption WHERE id = $1 FOR UPDATE', [redemptionId]);
  const [redemption] = hydrate(manager, Redemption, rows);
  if (!redemption || redemption.status !== 'RESERVED') return false;
  if (!rows[0].due) throw new ExpiryNotDue(redemptionId);
  await releaseReservation(manager, redemption, 'EXPIRED', 'system', { system: 'redemption-expiry' });
  return true;
}
