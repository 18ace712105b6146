import type { EntityManager } from 'typeorm';
import { EventEnvelope, recordEvent } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { ensurePersonAccount } from '../accounts/account-opening';
import { postTransaction, systemAccountId } from '../ledger/ledger';
import { EarningRule, pointsFor, ruleById, ruleInForce, shanghaiDay } from './earning-rule';

/** Who the ledger and the outbox name as the author of credits. */
export const EARNING_ACTOR = 'points.earning';

/** What the ledger keeps on every earning transaction, so corrections and caps can be worked out later. */
interface EarningMetadata {
  minutes: number;
  category: string;
  ruleId: string;
  /** The Asia/Shanghai day the credit counts in for the daily cap. */
  day: string;
  [more: string]: unknown;
}

/** The earliest earning transaction of a service record: the credit, or a correction made before any credit. */
interface OriginalEarning {
  kind: 'CREDIT' | 'CREDIT_CORRECTION';
  metadata: Partial<EarningMetadata>;
}

/**
 * Opens (if needed) and locks the person's account for the rest of the transaction. Every earning change of one
 * person goes through this lock, so the "already credited?" check and the daily cap sum see every earlier change,
 * however many consumers race.
 */
async function lockedAccount(
  manager: EntityManager,
  personId: string,
  home?: { id: string; path: string },
): Promise<{ id: string; available: number }> {
  const account = await ensurePersonAccount(manager, personId, home);
  const [row] = await manager.query('SELECT (balance - reserved)::text AS available FROM points_account WHERE id = $1 FOR UPDATE', [account.id]);
  return { id: account.id, available: Number(row.available) };
}

async function originalEarning(manager: EntityManager, serviceRecordId: string): Promise<OriginalEarning | null> {
  const [row] = await manager.query(
    `SELECT kind, metadata FROM ledger_transaction
      WHERE service_record_id = $1 AND kind IN ('CREDIT', 'CREDIT_CORRECTION')
      ORDER BY kind = 'CREDIT' DESC, id
      LIMIT 1`,
    [serviceRecordId],
  );
  return row ?? null;
}

/** Points the record has earned on the account so far, corrections included. */
async function creditedForRecord(manager: EntityManager, accountId: string, serviceRecordId: string): Promise<number> {
  const [row] = await manager.query(
    `SELECT coalesce(sum(p.amount), 0)::text AS total FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id
      WHERE p.account_id = $1 AND t.service_record_id = $2 AND t.kind IN ('CREDIT', 'CREDIT_CORRECTION') AND t.status = 'POSTED'`,
    [accountId, serviceRecordId],
  );
  return Number(row.total);
}

/**
 * Points the account earned on `day` under the rule's category (every version of it: a rule changed at noon
 * does not grant a second cap). Credits under the default rule count together, whatever their category.
 */
async function earnedOnDay(manager: EntityManager, accountId: string, rule: EarningRule, day: string): Promise<number> {
  const [row] = await manager.query(
    `SELECT coalesce(sum(p.amount), 0)::text AS total
       FROM posting p
       JOIN ledger_transaction t ON t.id = p.transaction_id
       JOIN earning_rule r ON r.id::text = t.metadata->>'ruleId'
      WHERE p.account_id = $1 AND t.kind IN ('CREDIT', 'CREDIT_CORRECTION') AND t.status = 'POSTED'
        AND t.metadata->>'day' = $2 AND r.category IS NOT DISTINCT FROM $3`,
    [accountId, day, rule.category],
  );
  return Number(row.total);
}

/** What the daily cap still allows on `day` (unlimited without a cap). */
async function capRemaining(manager: EntityManager, accountId: string, rule: EarningRule, day: string): Promise<number> {
  if (rule.dailyCap === null) return Number.MAX_SAFE_INTEGER;
  return Math.max(0, rule.dailyCap - (await earnedOnDay(manager, accountId, rule, day)));
}

const isUniqueViolation = (error: unknown) =>
  (error as { code?: string; driverError?: { code?: string } }).code === '23505' ||
  (error as { driverError?: { code?: string } }).driverError?.code === '23505';

/**
 * Runs `write` in a savepoint; a unique violation (the ledger's one-credit-per-record index, or the unique source
 * event id) undoes just the write and reports false instead of failing the whole transaction.
 */
async function unlessDuplicate(manager: EntityManager, write: () => Promise<void>): Promise<boolean> {
  await manager.query('SAVEPOINT earning_write');
  try {
    await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await manager.query('ROLLBACK TO SAVEPOINT earning_write');
    return false;
  }
  await manager.query('RELEASE SAVEPOINT earning_write');
  return true;
}

const descriptionOf = (category: string, minutes: number) => `志愿服务积分：${category} ${minutes} 分钟`;

export type CreditOutcome = 'CREDITED' | 'ALREADY_CREDITED' | 'NOTHING_EARNED';

/** How a credit is written; the earning consumer uses the defaults, seeding (a bulk load) does not. */
export interface CreditOptions {
  /** Write `points.credited` into the outbox (default true). Seeding writes no domain events. */
  announce?: boolean;
  /** When the transaction is dated (default now); seeding dates it when the record was verified. */
  at?: Date;
}

/**
 * Verified hours → one CREDIT, in the caller's transaction: the rule in force when the hours were verified, the
 * daily cap of the person's Asia/Shanghai day, the ISSUANCE → person transaction, and `points.credited`.
 * Exactly once per service record: under the account lock, an earlier credit (or correction) of the record
 * means it was credited already; and the ledger's unique index on the record's CREDIT backs that up.
 *
 * Seeding credits the demo's verified records through this same function (`tools/src/seed/earnings-seed.ts`), so
 * a seeded credit is the very transaction a later `volunteer.hours.verified` of the record would find.
 */
export async function creditVerifiedHours(
  manager: EntityManager,
  event: EventEnvelope<'volunteer.hours.verified'>,
  log?: Logger,
  options: CreditOptions = {},
): Promise<CreditOutcome> {
  const { serviceRecordId, personId, minutes, category, verifiedBy } = event.payload;
  // The rule and the daily cap of the day the service was done (older events without it: the day of verification).
  const servedAt = new Date(event.payload.startedAt ?? event.occurredAt);
  const rule = await ruleInForce(manager, category, servedAt);
  const points = pointsFor(minutes, rule);
  // Nothing to deposit (e.g. a few minutes at a low rate): no account is opened for it.
  if (points === 0) return 'NOTHING_EARNED';

  const { homeStationId, homeStationPath } = event.payload;
  const home = homeStationId && homeStationPath ? { id: homeStationId, path: homeStationPath } : undefined;
  const account = await lockedAccount(manager, personId, home);
  if (await originalEarning(manager, serviceRecordId)) return 'ALREADY_CREDITED';
  const day = shanghaiDay(servedAt);
  const amount = Math.min(points, await capRemaining(manager, account.id, rule, day));
  if (amount === 0) {
    log?.info({ serviceRecordId, personId, ruleId: rule.id, day }, 'daily cap reached: nothing credited');
    return 'NOTHING_EARNED';
  }
  const issuance = await systemAccountId(manager, 'ISSUANCE');
  const metadata: EarningMetadata = { minutes, category, ruleId: rule.id, day, points, verifiedBy };
  if (amount < points) metadata.cappedBy = points - amount;
  const written = await unlessDuplicate(manager, async () => {
    await postTransaction(manager, {
      kind: 'CREDIT',
      description: descriptionOf(category, minutes),
      createdBy: EARNING_ACTOR,
      postings: [
        { accountId: issuance, amount: -amount },
        { accountId: account.id, amount },
      ],
      serviceRecordId,
      sourceEventId: event.id,
      metadata,
      createdAt: options.at,
    });
  });
  if (!written) return 'ALREADY_CREDITED';
  if (options.announce === false) return 'CREDITED';
  await recordEvent(manager, {
    type: 'points.credited',
    actor: { system: EARNING_ACTOR },
    unitPath: event.unitPath,
    payload: { accountId: account.id, personId, amount, serviceRecordId },
  });
  return 'CREDITED';
}

export type CorrectionOutcome = 'CREDITED' | 'DEBITED' | 'UNCHANGED';

/**
 * Corrected hours → one CREDIT_CORRECTION of the difference, in the caller's transaction.
 *
 * The difference is points(newMinutes) − points(oldMinutes) under the rule the record was first credited with
 * (from that transaction's metadata), so rule changes since then do not leak into old records, and corrections
 * add up in any order. A record never credited counts as oldMinutes 0 under the rule in force now.
 *
 * - A credit counts against the daily cap of the original credit's day, like the credit did.
 * - A debit never takes back more than the record earned (what a daily cap withheld is `notEarned`), and never
 *   takes the account's available balance below zero: it takes what is available and records the rest as
 *   `shortfall` in the metadata (points already spent or reserved are not clawed back). With nothing available at
 *   all no transaction can be written (postings are never zero); the shortfall is then only logged.
 */
export async function correctCreditedHours(
  manager: EntityManager,
  event: EventEnvelope<'volunteer.hours.corrected'>,
  log?: Logger,
): Promise<CorrectionOutcome> {
  const { serviceRecordId, personId, category, newMinutes, reason } = event.payload;
  const account = await lockedAccount(manager, personId);
  const original = await originalEarning(manager, serviceRecordId);
  let rule: EarningRule | null = null;
  let day = shanghaiDay(new Date(event.occurredAt));
  let oldMinutes = event.payload.oldMinutes;
  if (original) {
    rule = original.metadata.ruleId ? await ruleById(manager, original.metadata.ruleId) : null;
    day = original.metadata.day ?? day;
  } else {
    oldMinutes = 0;
  }
  rule ??= await ruleInForce(manager, category, new Date(event.occurredAt));

  const difference = pointsFor(newMinutes, rule) - pointsFor(oldMinutes, rule);
  const base: EarningMetadata = { minutes: newMinutes, oldMinutes, category, ruleId: rule.id, day, reason, points: difference };
  let amount: number;
  if (difference > 0) {
    amount = Math.min(difference, await capRemaining(manager, account.id, rule, day));
    if (amount < difference) base.cappedBy = difference - amount;
  } else if (difference < 0) {
    const owed = Math.min(-difference, Math.max(0, await creditedForRecord(manager, account.id, serviceRecordId)));
    if (owed < -difference) base.notEarned = -difference - owed; // the credit was capped: that part was never paid
    const debit = Math.min(owed, Math.max(0, account.available));
    if (debit < owed) base.shortfall = owed - debit; // already spent or reserved: not clawed back
    amount = -debit;
  } else {
    amount = 0;
  }
  if (amount === 0) {
    if (difference !== 0) log?.warn({ serviceRecordId, personId, difference, ...base }, 'hours corrected but no points could move');
    return 'UNCHANGED';
  }
  const issuance = await systemAccountId(manager, 'ISSUANCE');
  await postTransaction(manager, {
    kind: 'CREDIT_CORRECTION',
    description: `${descriptionOf(category, newMinutes)}（更正：原 ${oldMinutes} 分钟）`,
    createdBy: EARNING_ACTOR,
    postings: [
      { accountId: issuance, amount: -amount },
      { accountId: account.id, amount },
    ],
    serviceRecordId,
    sourceEventId: event.id,
    metadata: base,
  });
  return amount > 0 ? 'CREDITED' : 'DEBITED';
}
