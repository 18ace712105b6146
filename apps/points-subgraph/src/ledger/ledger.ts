import type { EntityManager } from 'typeorm';
import { DomainError } from '@kz/errors';
import { addPeriodEarned } from '../leaderboards/period-earned';

/**
 * The ledger core. Every movement of points is one transaction of postings that sum to zero (the database checks
 * it at commit), written in the caller's database transaction. Cached balances change only here, with
 * conditional UPDATEs: a person's or pool's available balance (balance − reserved) never goes below zero, however
 * many movements race, because the UPDATE that would make it so matches no row.
 *
 * Two-phase movements follow TigerBeetle: `pending: true` holds the amount (the debit account's `reserved` grows,
 * its balance does not move), then `postPending` moves it or `voidPending` releases it, exactly once each.
 */

export type TransactionKind = 'CREDIT' | 'CREDIT_CORRECTION' | 'REDEMPTION' | 'TRANSFER' | 'DONATION' | 'ADJUSTMENT' | 'REVERSAL';
export type SystemAccount = 'ISSUANCE' | 'REDEMPTION' | 'ADJUSTMENT';

export interface Posting {
  accountId: string;
  /** Positive credits the account, negative debits it. Whole points. */
  amount: number;
}

export interface NewTransaction {
  kind: TransactionKind;
  description: string;
  createdBy: string;
  postings: Posting[];
  pending?: boolean;
  serviceRecordId?: string;
  sourceEventId?: string;
  reversesId?: string;
  /** With kind REVERSAL: the kind of the transaction reversed, so lifetime earned and spent are taken back too. */
  reversedKind?: TransactionKind;
  metadata?: Record<string, unknown>;
  /** When the transaction is dated; now unless given. Only seeding dates one in the past (when its hours were verified). */
  createdAt?: Date;
}

export interface LedgerTransaction {
  id: string;
  kind: TransactionKind;
  status: 'PENDING' | 'POSTED' | 'VOIDED';
  createdAt: Date;
}

/** Thrown when a debit would take an account's available balance below zero. */
export class InsufficientPoints extends DomainError<'INSUFFICIENT_POINTS'> {
  constructor(accountId: string, needed: number) {
    super('INSUFFICIENT_POINTS', 'points.insufficient', { accountId, needed });
  }
}

const isWholeAmount = (amount: number) => Number.isSafeInteger(amount) && amount !== 0;

export async function systemAccountId(manager: EntityManager, code: SystemAccount): Promise<string> {
  const [row] = await manager.query('SELECT id::text FROM points_account WHERE system_code = $1', [code]);
  if (!row) throw new Error(`system account ${code} is missing (migrations not applied?)`);
  return row.id;
}

/**
 * Writes a transaction and applies it to the cached balances. Accounts are updated in id order, so two movements
 * between the same accounts never deadlock. Throws `InsufficientPoints` (and writes nothing, since the caller's
 * transaction rolls back) when a non-system account cannot cover its debit.
 */
export async function postTransaction(manager: EntityManager, tx: NewTransaction): Promise<LedgerTransaction> {
  if (tx.postings.length < 2 || !tx.postings.every((p) => isWholeAmount(p.amount))) {
    throw new Error('a ledger transaction needs two or more non-zero whole postings');
  }
  if (tx.postings.reduce((sum, p) => sum + p.amount, 0) !== 0) throw new Error('postings must sum to zero');
  const [row] = await manager.query(
    `INSERT INTO ledger_transaction (kind, status, description, created_by, service_record_id, source_event_id, reverses_id, metadata, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now())) RETURNING id::text, kind, status, created_at AS "createdAt"`,
    [
      tx.kind,
      tx.pending ? 'PENDING' : 'POSTED',
      tx.description,
      tx.createdBy,
      tx.serviceRecordId ?? null,
      tx.sourceEventId ?? null,
      tx.reversesId ?? null,
      JSON.stringify(tx.metadata ?? {}),
      tx.createdAt?.toISOString() ?? null,
    ],
  );
  await manager.query(
    `INSERT INTO posting (transaction_id, account_id, amount) SELECT $1, a, m FROM unnest($2::bigint[], $3::bigint[]) AS p(a, m)`,
    [row.id, tx.postings.map((p) => p.accountId), tx.postings.map((p) => p.amount)],
  );
  for (const posting of [...tx.postings].sort((a, b) => Number(BigInt(a.accountId) - BigInt(b.accountId)))) {
    if (tx.pending && posting.amount < 0) await hold(manager, posting.accountId, -posting.amount);
    else if (!tx.pending) await apply(manager, posting.accountId, posting.amount, tx.kind, tx.reversedKind, row.createdAt);
  }
  return row;
}

/** Moves a pending transaction's amounts: holds are released and balances change, once. */
export async function postPending(manager: EntityManager, transactionId: string): Promise<void> {
  const { kind, postings } = await resolve(manager, transactionId, 'POSTED');
  for (const posting of postings) {
    if (posting.amount < 0) await release(manager, posting.accountId, -posting.amount);
    await apply(manager, posting.accountId, posting.amount, kind);
  }
}

/** Releases a pending transaction's holds; nothing moves. Once. */
export async function voidPending(manager: EntityManager, transactionId: string): Promise<void> {
  const { postings } = await resolve(manager, transactionId, 'VOIDED');
  for (const posting of postings) if (posting.amount < 0) await release(manager, posting.accountId, -posting.amount);
}

async function resolve(
  manager: EntityManager,
  transactionId: string,
  to: 'POSTED' | 'VOIDED',
): Promise<{ kind: TransactionKind; postings: Posting[] }> {
  const [rows] = await manager.query(
    `UPDATE ledger_transaction SET status = $2, resolved_at = now() WHERE id = $1 AND status = 'PENDING' RETURNING kind`,
    [transactionId, to],
  );
  if (rows.length === 0) throw new Error(`ledger transaction ${transactionId} is not pending`);
  const postings: Posting[] = await manager.query(
    'SELECT account_id::text AS "accountId", amount::int AS amount FROM posting WHERE transaction_id = $1 ORDER BY account_id',
    [transactionId],
  );
  return { kind: rows[0].kind, postings };
}

/**
 * What a posting adds to an account's lifetime earned and spent: credits earn, redemptions spend. A reversal takes
 * back exactly what the posting it undoes added, so a reversed credit is no longer counted as earned.
 */
function lifetimeDelta(amount: number, kind: TransactionKind, reversedKind?: TransactionKind): { earned: number; spent: number } {
  if (kind === 'REVERSAL') {
    if (!reversedKind) return { earned: 0, spent: 0 };
    const undone = lifetimeDelta(-amount, reversedKind);
    return { earned: -undone.earned, spent: -undone.spent };
  }
  return {
    earned: amount > 0 && (kind === 'CREDIT' || kind === 'CREDIT_CORRECTION') ? amount : 0,
    spent: amount < 0 && kind === 'REDEMPTION' ? -amount : 0,
  };
}

/**
 * Moves one posting's amount on its account, with its lifetime earned and spent; what a person earns is also added to
 * the week, month and year the transaction is dated in (`at`, now when not given), for the leaderboards.
 */
async function apply(
  manager: EntityManager,
  accountId: string,
  amount: number,
  kind: TransactionKind,
  reversedKind?: TransactionKind,
  at: Date | null = null,
): Promise<void> {
  const { earned, spent } = lifetimeDelta(amount, kind, reversedKind);
  const [rows] = await manager.query(
    `UPDATE points_account
        SET balance = balance + $2, lifetime_earned = lifetime_earned + $3, lifetime_spent = lifetime_spent + $4, updated_at = now()
      WHERE id = $1 AND (kind = 'SYSTEM' OR balance - reserved + $2 >= 0)
      RETURNING id, kind`,
    [accountId, amount, earned, spent],
  );
  if (rows.length === 0) throw new InsufficientPoints(accountId, -amount);
  if (earned !== 0 && rows[0].kind === 'PERSON') await addPeriodEarned(manager, accountId, earned, at);
}

async function hold(manager: EntityManager, accountId: string, amount: number): Promise<void> {
  const [rows] = await manager.query(
    `UPDATE points_account SET reserved = reserved + $2, updated_at = now()
      WHERE id = $1 AND (kind = 'SYSTEM' OR balance - reserved >= $2) RETURNING id`,
    [accountId, amount],
  );
  if (rows.length === 0) throw new InsufficientPoints(accountId, amount);
}

async function release(manager: EntityManager, accountId: string, amount: number): Promise<void> {
  await manager.query('UPDATE points_account SET reserved = reserved - $2, updated_at = now() WHERE id = $1', [accountId, amount]);
}
