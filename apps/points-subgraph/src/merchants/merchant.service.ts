import type { DataSource, EntityManager } from 'typeorm';
import { Actor, Claims, isValidUscc, Role } from '@kz/auth';
import { BadUserInput, DomainError, Forbidden, NotFound } from '@kz/errors';
import { EventActor, recordEvent } from '@kz/events';
import { findUnit } from '@kz/org-replica';
import { beijingMinute, isBigintId, parseInput, toCsv } from '@kz/subgraph';
import { ensurePersonAccount } from '../accounts/account-opening';
import { cardNumberFor } from '../accounts/card-number';
import { once } from '../ledger/idempotency';
import { postTransaction } from '../ledger/ledger';
import { OutOfStock } from '../rewards/reward.errors';
import {
  addMerchantStaffInput,
  createMerchantInput,
  createMerchantOfferInput,
  RedeemMerchantOfferInput,
  redeemMerchantOfferInput,
  updateMerchantOfferInput,
} from './merchant.input';
import { PaymentCode, PaymentCodes } from './payment-code';

/** Admins who open merchants and bind their staff, each in their subtree (as rewards go). */
export const MERCHANT_ADMINS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];
/** Who pays with a payment code: the people who hold points. */
const PAYERS: Role[] = ['RESIDENT', 'VOLUNTEER'];

export interface MerchantView {
  id: string;
  name: string;
  uscc: string | null;
  contactName: string | null;
  contactPhone: string | null;
  address: string | null;
  unitId: string;
  unitPath: string;
  accountId: string;
  balance: number;
  createdAt: Date;
}

export interface OfferView {
  id: string;
  merchantId: string;
  name: string;
  description: string | null;
  kind: 'GOODS' | 'DISCOUNT';
  price: number;
  stock: number | null;
  perPersonDailyLimit: number | null;
  dailyLimit: number | null;
  activeFrom: Date | null;
  activeUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MerchantRedemptionView {
  id: string;
  merchantId: string;
  offerId: string;
  offerName: string;
  personId: string;
  payerCardNumber: string;
  quantity: number;
  points: number;
  transactionId: string;
  createdAt: Date;
}

/** A redemption refunded: the center reversed its ledger transaction (reverseTransaction). */
export interface MerchantRefundView {
  redemptionId: string;
  points: number;
  transactionId: string;
  createdAt: Date;
}

export interface MerchantStatementView {
  merchant: MerchantView;
  month: string;
  lines: MerchantRedemptionView[];
  refunds: MerchantRefundView[];
  totalQuantity: number;
  totalPoints: number;
  refundedPoints: number;
  netPoints: number;
  ledgerPoints: number;
  fileName: string;
  csv: string;
}

export interface MerchantSettings {
  codes: PaymentCodes;
  /** The clock of payment-code expiry and of the Beijing day of the daily limits; tests set it. */
  now: () => Date;
}

const MERCHANT_SQL = `SELECT m.id::text, m.name, m.uscc, m.contact_name AS "contactName", m.contact_phone AS "contactPhone", m.address,
  m.unit_id::text AS "unitId", m.unit_path AS "unitPath", m.account_id::text AS "accountId", a.balance::int AS balance, m.created_at AS "createdAt"
  FROM merchant m JOIN points_account a ON a.id = m.account_id`;
const OFFER_SQL = `SELECT o.id::text, o.merchant_id::text AS "merchantId", o.name, o.description, o.kind, o.price, o.stock,
  o.per_person_daily_limit AS "perPersonDailyLimit", o.daily_limit AS "dailyLimit", o.active_from AS "activeFrom",
  o.active_until AS "activeUntil", o.created_at AS "createdAt", o.updated_at AS "updatedAt" FROM merchant_offer o`;
const REDEMPTION_SQL = `SELECT r.id::text, r.merchant_id::text AS "merchantId", r.offer_id::text AS "offerId", o.name AS "offerName",
  r.person_id::text AS "personId", r.account_id::text AS "payerAccountId", r.quantity, r.points::int AS points,
  r.transaction_id::text AS "transactionId", r.created_at AS "createdAt"
  FROM merchant_redemption r JOIN merchant_offer o ON o.id = r.offer_id`;

/** The Beijing calendar day of an instant, `YYYY-MM-DD`. */
export function beijingDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The instants a Beijing month `YYYY-MM` starts and ends at. */
export function beijingMonth(month: string): { from: Date; to: Date } | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) return null;
  const [year, index] = [Number(match[1]), Number(match[2]) - 1];
  return { from: new Date(Date.UTC(year, index, 1) - 8 * 3600_000), to: new Date(Date.UTC(year, index + 1, 1) - 8 * 3600_000) };
}

/** A card number with its middle hidden, `KZ **** **12 34-5`: enough for a merchant to tell payers apart. */
function maskCard(cardNumber: string): string {
  return cardNumber.replace(/^KZ (\d{4}) (\d{2})(\d{2})/, 'KZ **** **$3');
}

function isActive(offer: Pick<OfferView, 'activeFrom' | 'activeUntil'>, now: Date): boolean {
  return (!offer.activeFrom || offer.activeFrom <= now) && (!offer.activeUntil || offer.activeUntil > now);
}

function actorOf(claims: Claims): EventActor {
  return { personId: claims.sub, roles: claims.roles };
}

/** The code was expired, used or made by someone else: each with its own key; nothing moves. */
export class PaymentCodeRefused extends DomainError<'BAD_USER_INPUT' | 'CONFLICT'> {
  constructor(problem: 'FORGED' | 'EXPIRED' | 'USED', expiredAt?: Date) {
    if (problem === 'FORGED') super('BAD_USER_INPUT', 'points.paymentCodeInvalid', { field: 'input.paymentCode', reason: problem });
    else if (problem === 'EXPIRED') super('CONFLICT', 'points.paymentCodeExpired', { field: 'input.paymentCode', reason: problem, expiredAt: beijingMinute(expiredAt ?? null) ?? undefined });
    else super('CONFLICT', 'points.paymentCodeUsed', { field: 'input.paymentCode', reason: problem });
  }
}

export class MerchantDailyLimit extends DomainError<'CONFLICT'> {
  constructor(offerId: string, scope: 'PERSON' | 'OFFER', limit: number, used: number) {
    super('CONFLICT', 'points.merchantDailyLimit', { offerId, scope, limit, used, reason: 'DAILY_LIMIT' });
  }
}

export class OfferUnavailable extends DomainError<'CONFLICT'> {
  constructor(offer: OfferView) {
    super('CONFLICT', 'points.offerUnavailable', { offerId: offer.id, activeFrom: offer.activeFrom?.toISOString(), activeUntil: offer.activeUntil?.toISOString() });
  }
}

/**
 * Partner merchants (爱心商家): merchants and their staff, offers, payment codes and redemptions, and the monthly
 * settlement statement. A redemption is one database transaction: the payment code's nonce is spent, the daily limits
 * and the stock are checked under the offer's row lock, and the points move volunteer → merchant through the ledger
 * core, once per idempotency key.
 */
export class MerchantService {
  private staffOf?: Promise<string | null>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly settings: MerchantSettings,
    private readonly eventsWritten: () => void,
  ) {}

  // ── who may do what ────────────────────────────────────────────────────────────────────────────────────────

  /** The merchant the caller works for (MERCHANT role, bound by addMerchantStaff), or null. */
  private ownMerchantId(): Promise<string | null> {
    if (!this.actor.hasRole('MERCHANT') || !isBigintId(this.actor.personId ?? '')) return Promise.resolve(null);
    this.staffOf ??= this.dataSource
      .query('SELECT merchant_id::text AS id FROM merchant_staff WHERE person_id = $1', [this.actor.personId])
      .then((rows: { id: string }[]) => rows[0]?.id ?? null);
    return this.staffOf;
  }

  private async isOwnStaff(merchant: Pick<MerchantView, 'id'>): Promise<boolean> {
    return (await this.ownMerchantId()) === merchant.id;
  }

  /** The merchant's own staff and the admins of its unit's subtree (the center everywhere). */
  async canManage(merchant: Pick<MerchantView, 'id' | 'unitPath'>): Promise<boolean> {
    return this.actor.inScope(merchant.unitPath, MERCHANT_ADMINS) || (await this.isOwnStaff(merchant));
  }

  /**
   * The public face of a merchant (name, address, active offers): for the people who may pay there (residents and
   * volunteers) and for those who manage it. Other staff, and a merchant's staff looking at another merchant, get
   * FORBIDDEN.
   */
  private async canSee(merchant: MerchantView): Promise<boolean> {
    return this.actor.hasRole(...PAYERS) || (await this.canManage(merchant));
  }

  private async requireManage(merchant: MerchantView): Promise<void> {
    this.actor.requireAuthenticated();
    if (!(await this.canManage(merchant))) throw new Forbidden();
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────────────────────

  private async load(manager: EntityManager, id: string): Promise<MerchantView | null> {
    if (!isBigintId(id)) return null;
    const [row] = await manager.query(`${MERCHANT_SQL} WHERE m.id = $1`, [id]);
    return row ?? null;
  }

  private async loadOffer(manager: EntityManager, id: string, lock = false): Promise<OfferView | null> {
    if (!isBigintId(id)) return null;
    const [row] = await manager.query(`${OFFER_SQL} WHERE o.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ?? null;
  }

  /**
   * A merchant the caller may see. An unknown one is null to those who see every merchant (the center, residents and
   * volunteers) and FORBIDDEN to everyone else, as one outside their scope.
   */
  async get(id: string): Promise<MerchantView | null> {
    this.actor.requireAuthenticated();
    const merchant = await this.load(this.dataSource.manager, id);
    if (!merchant) return this.absent();
    if (!(await this.canSee(merchant))) throw new Forbidden();
    return merchant;
  }

  /** Merchants of a unit's subtree: for admins of that subtree; a merchant's staff get their own merchant only. */
  async list(unitId: string | null | undefined): Promise<MerchantView[]> {
    const claims = this.actor.requireAuthenticated();
    const own = await this.ownMerchantId();
    const unit = unitId ? await findUnit(this.dataSource.manager, unitId) : null;
    if (unitId && !unit) return [];
    const root = unit?.path ?? (this.actor.hasRole('CENTER_ADMIN') ? null : (claims.unitPath ?? null));
    const adminHere = root === null ? this.actor.hasRole('CENTER_ADMIN') : this.actor.inScope(root, MERCHANT_ADMINS);
    if (adminHere) {
      const rows = root === null
        ? await this.dataSource.query(`${MERCHANT_SQL} ORDER BY m.id`)
        : await this.dataSource.query(`${MERCHANT_SQL} WHERE m.unit_path = $1 OR m.unit_path LIKE $1 || '/%' ORDER BY m.id`, [root]);
      return rows;
    }
    if (own) return [(await this.load(this.dataSource.manager, own))!];
    throw new Forbidden();
  }

  /** A merchant's offers: all of them for those who manage it, the ones offered now for everyone else who sees it. */
  async offers(merchant: MerchantView): Promise<OfferView[]> {
    const all = await this.canManage(merchant);
    const rows: OfferView[] = await this.dataSource.query(`${OFFER_SQL} WHERE o.merchant_id = $1 ORDER BY o.id`, [merchant.id]);
    const now = this.settings.now();
    return all ? rows : rows.filter((offer) => isActive(offer, now));
  }

  /** Offers available now at the merchants of a unit's subtree (the whole district without one), for payers. */
  async availableOffers(unitId: string | null | undefined, first: number): Promise<OfferView[]> {
    this.actor.requireAuthenticated();
    const own = await this.ownMerchantId();
    if (!this.actor.hasRole(...PAYERS, ...MERCHANT_ADMINS) && !own) throw new Forbidden();
    const unit = unitId ? await findUnit(this.dataSource.manager, unitId) : null;
    if (unitId && !unit) return [];
    const now = this.settings.now();
    const params: unknown[] = [now, Math.min(Math.max(first, 1), 100)];
    let where = '(o.active_from IS NULL OR o.active_from <= $1) AND (o.active_until IS NULL OR o.active_until > $1) AND (o.stock IS NULL OR o.stock > 0)';
    if (unit) {
      params.push(unit.path);
      where += ` AND (m.unit_path = $3 OR m.unit_path LIKE $3 || '/%')`;
    }
    // A merchant's staff who are not also payers see their own merchant's offers only.
    if (own && !this.actor.hasRole(...PAYERS, ...MERCHANT_ADMINS)) {
      params.push(own);
      where += ` AND o.merchant_id = $${params.length}`;
    }
    return this.dataSource.query(`${OFFER_SQL} JOIN merchant m ON m.id = o.merchant_id WHERE ${where} ORDER BY o.id DESC LIMIT $2`, params);
  }

  async offer(id: string): Promise<OfferView | null> {
    this.actor.requireAuthenticated();
    const offer = await this.loadOffer(this.dataSource.manager, id);
    if (!offer) return this.absent();
    const merchant = (await this.load(this.dataSource.manager, offer.merchantId))!;
    if (!(await this.canSee(merchant))) throw new Forbidden();
    if (!isActive(offer, this.settings.now()) && !(await this.canManage(merchant))) throw new Forbidden();
    return offer;
  }

  merchantOf(offer: Pick<OfferView, 'merchantId'>): Promise<MerchantView | null> {
    return this.load(this.dataSource.manager, offer.merchantId);
  }

  /** The offer of a redemption the caller already sees. */
  offerOf(redemption: Pick<MerchantRedemptionView, 'offerId'>): Promise<OfferView | null> {
    return this.loadOffer(this.dataSource.manager, redemption.offerId);
  }

  isAvailable(offer: OfferView): boolean {
    return isActive(offer, this.settings.now()) && (offer.stock === null || offer.stock > 0);
  }

  /** The staff bound to a merchant, as person ids: for those who manage it. */
  async staff(merchant: MerchantView): Promise<string[]> {
    await this.requireManage(merchant);
    const rows: { id: string }[] = await this.dataSource.query('SELECT person_id::text AS id FROM merchant_staff WHERE merchant_id = $1 ORDER BY person_id', [merchant.id]);
    return rows.map((row) => row.id);
  }

  async balance(merchant: MerchantView): Promise<number> {
    await this.requireManage(merchant);
    return merchant.balance;
  }

  // ── merchants and staff ────────────────────────────────────────────────────────────────────────────────────

  async create(raw: unknown): Promise<MerchantView> {
    const claims = this.actor.requireRole(...MERCHANT_ADMINS);
    const input = parseInput(createMerchantInput, raw);
    const uscc = input.uscc ? input.uscc.toUpperCase() : null;
    if (uscc && !isValidUscc(uscc)) throw new BadUserInput('input.uscc', { key: 'certificate.invalidUscc' });
    return this.dataSource.transaction(async (manager) => {
      const unit = await findUnit(manager, input.unitId);
      if (!unit) throw new BadUserInput('input.unitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: input.unitId });
      this.actor.requireScope(unit.path, ...MERCHANT_ADMINS);
      const [{ id: accountId }] = await manager.query(`SELECT nextval(pg_get_serial_sequence('points_account', 'id'))::text AS id`);
      await manager.query(`INSERT INTO points_account (id, kind, card_number, unit_id, unit_path) VALUES ($1, 'MERCHANT', $2, $3, $4)`, [
        accountId,
        cardNumberFor(accountId),
        unit.id,
        unit.path,
      ]);
      const [row] = await manager.query(
        `INSERT INTO merchant (name, uscc, contact_name, contact_phone, address, unit_id, unit_path, account_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text`,
        [input.name, uscc, input.contactName ?? null, input.contactPhone ?? null, input.address ?? null, unit.id, unit.path, accountId, claims.sub],
      );
      return (await this.load(manager, row.id))!;
    });
  }

  /**
   * Binds a person (who signs in with the MERCHANT role, see createStaffAccount) to a merchant: they then act for it.
   * A person works for one merchant at a time; binding them again to the same merchant changes nothing.
   */
  async addStaff(raw: unknown): Promise<MerchantView> {
    const claims = this.actor.requireRole(...MERCHANT_ADMINS);
    const input = parseInput(addMerchantStaffInput, raw);
    const merchant = await this.load(this.dataSource.manager, input.merchantId);
    if (!merchant) throw this.hidden('Merchant', input.merchantId);
    if (!this.actor.inScope(merchant.unitPath, MERCHANT_ADMINS)) throw new Forbidden();
    await this.dataSource.query(
      'INSERT INTO merchant_staff (person_id, merchant_id, added_by) VALUES ($1, $2, $3) ON CONFLICT (person_id) DO NOTHING',
      [input.personId, merchant.id, claims.sub],
    );
    const [bound] = await this.dataSource.query('SELECT merchant_id::text AS id FROM merchant_staff WHERE person_id = $1', [input.personId]);
    if (bound.id !== merchant.id) throw new DomainError('CONFLICT', 'points.merchantStaffTaken', { field: 'input.personId', personId: input.personId });
    return merchant;
  }

  // ── offers ─────────────────────────────────────────────────────────────────────────────────────────────────

  async createOffer(raw: unknown): Promise<OfferView> {
    const claims = this.actor.requireRole('MERCHANT', ...MERCHANT_ADMINS);
    const input = parseInput(createMerchantOfferInput, raw);
    const merchant = await this.load(this.dataSource.manager, input.merchantId);
    if (!merchant) throw this.hidden('Merchant', input.merchantId);
    await this.requireManage(merchant);
    assertWindow(input.activeFrom ?? null, input.activeUntil ?? null);
    const [row] = await this.dataSource.query(
      `INSERT INTO merchant_offer (merchant_id, name, description, kind, price, stock, per_person_daily_limit, daily_limit, active_from, active_until, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text`,
      [
        merchant.id,
        input.name,
        input.description ?? null,
        input.kind,
        input.price,
        input.stock ?? null,
        input.perPersonDailyLimit ?? null,
        input.dailyLimit ?? null,
        input.activeFrom ?? null,
        input.activeUntil ?? null,
        claims.sub,
      ],
    );
    return (await this.loadOffer(this.dataSource.manager, row.id))!;
  }

  async updateOffer(raw: unknown): Promise<OfferView> {
    this.actor.requireRole('MERCHANT', ...MERCHANT_ADMINS);
    const input = parseInput(updateMerchantOfferInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const offer = await this.loadOffer(manager, input.id, true);
      if (!offer) throw this.hidden('MerchantOffer', input.id);
      await this.requireManage((await this.load(manager, offer.merchantId))!);
      const columns: Record<string, unknown> = {};
      const set = (key: keyof typeof input, column: string) => {
        if (input[key] !== undefined) columns[column] = input[key];
      };
      set('name', 'name');
      set('description', 'description');
      set('price', 'price');
      set('stock', 'stock');
      set('perPersonDailyLimit', 'per_person_daily_limit');
      set('dailyLimit', 'daily_limit');
      set('activeFrom', 'active_from');
      set('activeUntil', 'active_until');
      assertWindow(
        input.activeFrom !== undefined ? input.activeFrom : offer.activeFrom,
        input.activeUntil !== undefined ? input.activeUntil : offer.activeUntil,
      );
      const names = Object.keys(columns);
      if (names.length > 0) {
        await manager.query(
          `UPDATE merchant_offer SET ${names.map((name, i) => `${name} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
          [offer.id, ...names.map((name) => columns[name])],
        );
      }
      return (await this.loadOffer(manager, offer.id))!;
    });
  }

  // ── payment codes and redemptions ──────────────────────────────────────────────────────────────────────────

  /** A fresh payment code for the caller, valid for PAYMENT_CODE_TTL_SECONDS and for one payment. */
  paymentCode(): PaymentCode {
    const claims = this.actor.requireRole(...PAYERS);
    if (!isBigintId(claims.sub)) throw new Forbidden(); // only people hold points
    return this.settings.codes.issue(claims.sub, this.settings.now());
  }

  /**
   * A merchant's staff member scans a volunteer's payment code and redeems an offer: once per idempotency key (a
   * repeat answers the first redemption, even after the code expired), never twice per code.
   */
  async redeem(raw: unknown): Promise<MerchantRedemptionView> {
    // The input is checked first: a malformed one is BAD_USER_INPUT naming the field, whoever sends it.
    this.actor.requireAuthenticated();
    const input = parseInput(redeemMerchantOfferInput, raw);
    const claims = this.actor.requireRole('MERCHANT');
    const offer = await this.loadOffer(this.dataSource.manager, input.offerId);
    if (!offer) throw new BadUserInput('input.offerId', { key: 'input.unknownReference', entity: 'merchant offer', entityZh: '商家优惠', id: input.offerId });
    if ((await this.ownMerchantId()) !== offer.merchantId) throw new Forbidden();
    const { result, replayed } = await once(
      this.dataSource,
      {
        actor: claims.sub,
        key: input.idempotencyKey,
        operation: 'redeemMerchantOffer',
        request: { offerId: input.offerId, paymentCode: input.paymentCode.trim(), quantity: input.quantity },
      },
      async (manager) => ({ redemptionId: await this.pay(manager, claims, input) }),
    );
    if (!replayed) this.eventsWritten();
    return (await this.redemption(this.dataSource.manager, result.redemptionId))!;
  }

  /**
   * The payment, in the caller's transaction. The offer's row is locked first: every redemption of the offer takes its
   * turn, so the stock and both daily limits are counted with nothing in between. The code's nonce is spent first (a
   * second use waits on the first's commit and finds it spent); then the window, stock and limits are checked and the
   * ledger moves the points. Any refusal rolls the whole transaction back, the nonce's use included.
   */
  private async pay(manager: EntityManager, claims: Claims, input: RedeemMerchantOfferInput): Promise<string> {
    const now = this.settings.now();
    const verified = this.settings.codes.verify(input.paymentCode, now);
    if (!verified.ok) {
      const expiry = verified.problem === 'EXPIRED' ? expiryOf(input.paymentCode) : undefined;
      throw new PaymentCodeRefused(verified.problem, expiry);
    }
    const code = verified.code;
    const offer = (await this.loadOffer(manager, input.offerId, true))!;
    // A used code is refused before anything else is looked at; a later refusal rolls the use back with the rest.
    const spent: unknown[] = await manager.query(
      `INSERT INTO payment_code_use (nonce, person_id, expires_at, used_by, used_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (nonce) DO NOTHING RETURNING nonce`,
      [code.nonce, code.personId, code.expiresAt, claims.sub, now],
    );
    if (spent.length === 0) throw new PaymentCodeRefused('USED');
    if (!isActive(offer, now)) throw new OfferUnavailable(offer);
    if (offer.stock !== null && offer.stock < input.quantity) throw new OutOfStock(offer.id, offer.stock);
    const day = beijingDay(now);
    const [{ personUsed, offerUsed }] = await manager.query(
      `SELECT coalesce(sum(quantity) FILTER (WHERE person_id = $3), 0)::int AS "personUsed", coalesce(sum(quantity), 0)::int AS "offerUsed"
         FROM merchant_redemption WHERE offer_id = $1 AND beijing_day = $2`,
      [offer.id, day, code.personId],
    );
    if (offer.perPersonDailyLimit !== null && personUsed + input.quantity > offer.perPersonDailyLimit) {
      throw new MerchantDailyLimit(offer.id, 'PERSON', offer.perPersonDailyLimit, personUsed);
    }
    if (offer.dailyLimit !== null && offerUsed + input.quantity > offer.dailyLimit) {
      throw new MerchantDailyLimit(offer.id, 'OFFER', offer.dailyLimit, offerUsed);
    }
    const merchant = (await this.load(manager, offer.merchantId))!;
    const payer = await ensurePersonAccount(manager, code.personId);
    const points = offer.price * input.quantity;
    const tx = await postTransaction(manager, {
      kind: 'REDEMPTION',
      description: `${merchant.name} 兑换 ${offer.name} ×${input.quantity}`,
      createdBy: claims.sub,
      postings: [
        { accountId: payer.id, amount: -points },
        { accountId: merchant.accountId, amount: points },
      ],
      metadata: { merchantId: merchant.id, offerId: offer.id, quantity: input.quantity },
      createdAt: now,
    });
    if (offer.stock !== null) {
      await manager.query('UPDATE merchant_offer SET stock = stock - $2, updated_at = now() WHERE id = $1', [offer.id, input.quantity]);
    }
    const [row] = await manager.query(
      `INSERT INTO merchant_redemption (merchant_id, offer_id, person_id, account_id, quantity, points, payment_nonce, transaction_id, beijing_day, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text`,
      [merchant.id, offer.id, code.personId, payer.id, input.quantity, points, code.nonce, tx.id, day, claims.sub, now],
    );
    await recordEvent(manager, {
      type: 'points.merchant.redeemed',
      actor: actorOf(claims),
      unitPath: merchant.unitPath,
      payload: {
        merchantRedemptionId: row.id,
        merchantId: merchant.id,
        merchantName: merchant.name,
        offerId: offer.id,
        offerName: offer.name,
        accountId: payer.id,
        personId: code.personId,
        quantity: input.quantity,
        points,
      },
    });
    return row.id;
  }

  private async redemption(manager: EntityManager, id: string): Promise<MerchantRedemptionView | null> {
    const rows = await manager.query(`${REDEMPTION_SQL} WHERE r.id = $1`, [id]);
    return (await this.withCards(manager, rows))[0] ?? null;
  }

  private async withCards(manager: EntityManager, rows: (Omit<MerchantRedemptionView, 'payerCardNumber'> & { payerAccountId: string })[]) {
    return rows.map(({ payerAccountId, ...row }) => ({ ...row, payerCardNumber: maskCard(cardNumberFor(payerAccountId)) }));
  }

  // ── the monthly settlement statement ───────────────────────────────────────────────────────────────────────

  /**
   * The merchant's redemptions of a Beijing month and the refunds of the month (reversals of its redemptions), with
   * totals, the same as CSV, and what the ledger moved into the merchant's account in that month (`ledgerPoints`, which
   * `npm run ledger:verify` checks equals `netPoints`).
   */
  async statement(merchantId: string, month: string): Promise<MerchantStatementView | null> {
    this.actor.requireAuthenticated();
    const bounds = beijingMonth(month);
    if (!bounds) throw new DomainError('BAD_USER_INPUT', 'points.statementMonth', { field: 'month' });
    const merchant = await this.load(this.dataSource.manager, merchantId);
    if (!merchant) {
      if (this.actor.hasRole('CENTER_ADMIN')) return null;
      throw new Forbidden();
    }
    await this.requireManage(merchant);
    const manager = this.dataSource.manager;
    const rows = await manager.query(`${REDEMPTION_SQL} WHERE r.merchant_id = $1 AND r.created_at >= $2 AND r.created_at < $3 ORDER BY r.created_at, r.id`, [
      merchant.id,
      bounds.from,
      bounds.to,
    ]);
    const lines = await this.withCards(manager, rows);
    const refunds: MerchantRefundView[] = await manager.query(
      `SELECT r.id::text AS "redemptionId", r.points::int AS points, rv.id::text AS "transactionId", rv.created_at AS "createdAt"
         FROM merchant_redemption r JOIN ledger_transaction rv ON rv.reverses_id = r.transaction_id AND rv.status = 'POSTED'
        WHERE r.merchant_id = $1 AND rv.created_at >= $2 AND rv.created_at < $3 ORDER BY rv.created_at, rv.id`,
      [merchant.id, bounds.from, bounds.to],
    );
    const [{ ledger }] = await manager.query(
      `SELECT coalesce(sum(p.amount), 0)::int AS ledger FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id
        WHERE p.account_id = $1 AND t.status = 'POSTED' AND t.created_at >= $2 AND t.created_at < $3`,
      [merchant.accountId, bounds.from, bounds.to],
    );
    const csv = toCsv(
      ['类型', '兑换编号', '时间', '优惠', '数量', '积分', '付款卡号', '交易编号'],
      [
        ...lines.map((line) => ['兑换', line.id, beijingMinute(line.createdAt), line.offerName, line.quantity, line.points, line.payerCardNumber, line.transactionId]),
        ...refunds.map((refund) => ['冲正', refund.redemptionId, beijingMinute(refund.createdAt), null, null, -refund.points, null, refund.transactionId]),
      ],
    );
    const totalPoints = lines.reduce((sum, line) => sum + line.points, 0);
    const refundedPoints = refunds.reduce((sum, refund) => sum + refund.points, 0);
    return {
      merchant,
      month,
      lines,
      refunds,
      totalQuantity: lines.reduce((sum, line) => sum + line.quantity, 0),
      totalPoints,
      refundedPoints,
      netPoints: totalPoints - refundedPoints,
      ledgerPoints: ledger,
      fileName: `merchant-${merchant.id}-${month}.csv`,
      csv,
    };
  }

  /** Null for a caller who would see the record wherever it were; FORBIDDEN (as out of scope) for everyone else. */
  private absent(): null {
    if (this.actor.hasRole('CENTER_ADMIN', ...PAYERS)) return null;
    throw new Forbidden();
  }

  /** An unknown id looks like one out of scope, except to the center admin, who is in scope everywhere. */
  private hidden(entity: string, id: string): DomainError {
    return this.actor.hasRole('CENTER_ADMIN') ? new NotFound(entity, id, entity === 'Merchant' ? '爱心商家' : '商家优惠') : new Forbidden();
  }
}

function assertWindow(from: Date | null, until: Date | null): void {
  if (from && until && until <= from) throw new BadUserInput('input.activeUntil', { key: 'input.invalid', detail: 'must be after activeFrom' });
}

/** The expiry written in a (verified) code, for the message. */
function expiryOf(code: string): Date {
  return new Date(parseInt(code.trim().split('.')[2] ?? '0', 36));
}
