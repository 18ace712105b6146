/**
 * The ledger's invariants, checked against the database as it is (`npm run ledger:verify`): what the ledger core
 * and the schema promise, proven after the fact, so a bug or a hand-made change cannot hide. Each check is one
 * query that returns the rows breaking it.
 */

export type LedgerCheck =
  | 'balanced'
  | 'cached-balance'
  | 'cached-reserved'
  | 'never-negative'
  | 'redemption-status'
  | 'lifetime'
  | 'reversal'
  | 'merchant-redemption'
  | 'merchant-statement';

export interface LedgerViolation {
  check: LedgerCheck;
  /** What breaks it, in words, with the ids to look at. */
  detail: string;
}

/** Runs one SQL statement and returns its rows: a TypeORM `DataSource.query`, or a pg client adapted to it. */
export type LedgerQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * The statement and ledger totals of every merchant and Beijing month that has either (`months`). A statement's total
 * is its redemptions less the refunds (reversals of its redemptions) of the month.
 */
export const MERCHANT_MONTHS = `WITH statement AS (
    SELECT merchant_id, month, sum(points) AS total FROM (
      SELECT merchant_id, to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, points FROM merchant_redemption
      UNION ALL
      SELECT r.merchant_id, to_char(rv.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), -r.points
        FROM merchant_redemption r JOIN ledger_transaction rv ON rv.reverses_id = r.transaction_id AND rv.status = 'POSTED') lines
     GROUP BY 1, 2),
  ledger AS (
    SELECT m.id AS merchant_id, to_char(t.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, sum(p.amount) AS total
      FROM merchant m JOIN posting p ON p.account_id = m.account_id
      JOIN ledger_transaction t ON t.id = p.transaction_id AND t.status = 'POSTED' GROUP BY 1, 2),
  months AS (
    SELECT coalesce(s.merchant_id, l.merchant_id) AS merchant_id, coalesce(s.month, l.month) AS month,
           coalesce(s.total, 0) AS statement, coalesce(l.total, 0) AS ledger
      FROM statement s FULL JOIN ledger l ON l.merchant_id = s.merchant_id AND l.month = s.month)`;

const CHECKS: { check: LedgerCheck; sql: string; describe: (row: Record<string, unknown>) => string }[] = [
  {
    // (a) Double entry: a transaction's postings sum to zero (and there are at least two of them).
    check: 'balanced',
    sql: `SELECT t.id::text AS id, coalesce(sum(p.amount), 0)::text AS total, count(p.id)::int AS postings
            FROM ledger_transaction t LEFT JOIN posting p ON p.transaction_id = t.id
           GROUP BY t.id HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.id) < 2 ORDER BY t.id`,
    describe: (r) => `transaction ${r.id}: its ${r.postings} posting(s) sum to ${r.total}, not 0`,
  },
  {
    // (b) The cached balance is the sum of the account's posted postings.
    check: 'cached-balance',
    sql: `SELECT a.id::text AS id, a.kind, a.balance::text AS cached, coalesce(s.posted, 0)::text AS actual
            FROM points_account a
            LEFT JOIN (SELECT p.account_id, sum(p.amount) AS posted FROM posting p
                         JOIN ledger_transaction t ON t.id = p.transaction_id AND t.status = 'POSTED' GROUP BY p.account_id) s
              ON s.account_id = a.id
           WHERE a.balance <> coalesce(s.posted, 0) ORDER BY a.id`,
    describe: (r) => `account ${r.id} (${r.kind}): cached balance ${r.cached}, posted postings sum to ${r.actual}`,
  },
  {
    // (b) The cached reservation is the sum of the account's pending debits.
    check: 'cached-reserved',
    sql: `SELECT a.id::text AS id, a.kind, a.reserved::text AS cached, coalesce(s.held, 0)::text AS actual
            FROM points_account a
            LEFT JOIN (SELECT p.account_id, -sum(p.amount) AS held FROM posting p
                         JOIN ledger_transaction t ON t.id = p.transaction_id AND t.status = 'PENDING'
                        WHERE p.amount < 0 GROUP BY p.account_id) s
              ON s.account_id = a.id
           WHERE a.reserved <> coalesce(s.held, 0) ORDER BY a.id`,
    describe: (r) => `account ${r.id} (${r.kind}): cached reserved ${r.cached}, pending debits sum to ${r.actual}`,
  },
  {
    // (c) No person or pool ever holds less than nothing, nor has more reserved than it holds.
    check: 'never-negative',
    sql: `SELECT id::text AS id, kind, balance::text AS balance, reserved::text AS reserved FROM points_account
           WHERE kind <> 'SYSTEM' AND (balance < 0 OR reserved < 0 OR balance - reserved < 0) ORDER BY id`,
    describe: (r) => `account ${r.id} (${r.kind}): balance ${r.balance}, reserved ${r.reserved}, available ${Number(r.balance) - Number(r.reserved)}`,
  },
  {
    // (d) A redemption and its ledger transaction tell the same story.
    check: 'redemption-status',
    sql: `SELECT r.id::text AS id, r.status, t.id::text AS transaction_id, t.status AS transaction_status
            FROM redemption r JOIN ledger_transaction t ON t.id = r.transaction_id
           WHERE t.status <> CASE r.status WHEN 'RESERVED' THEN 'PENDING' WHEN 'FULFILLED' THEN 'POSTED' ELSE 'VOIDED' END
           ORDER BY r.id`,
    describe: (r) => `redemption ${r.id} is ${r.status} but its transaction ${r.transaction_id} is ${r.transaction_status}`,
  },
  {
    // (e) Lifetime figures only ever add up.
    check: 'lifetime',
    sql: `SELECT id::text AS id, lifetime_earned::text AS earned, lifetime_spent::text AS spent FROM points_account
           WHERE lifetime_earned < 0 OR lifetime_spent < 0 ORDER BY id`,
    describe: (r) => `account ${r.id}: lifetime earned ${r.earned}, lifetime spent ${r.spent}`,
  },
  {
    // A reversal is the exact mirror of the transaction it reverses, account by account.
    check: 'reversal',
    sql: `SELECT r.id::text AS id, r.reverses_id::text AS reverses FROM ledger_transaction r
           WHERE r.kind = 'REVERSAL' AND (r.reverses_id IS NULL OR EXISTS (
             (SELECT account_id, sum(amount) FROM posting WHERE transaction_id = r.id GROUP BY account_id
              EXCEPT SELECT account_id, -sum(amount) FROM posting WHERE transaction_id = r.reverses_id GROUP BY account_id)
             UNION ALL
             (SELECT account_id, -sum(amount) FROM posting WHERE transaction_id = r.reverses_id GROUP BY account_id
              EXCEPT SELECT account_id, sum(amount) FROM posting WHERE transaction_id = r.id GROUP BY account_id)))
           ORDER BY r.id`,
    describe: (r) => `reversal ${r.id} does not mirror transaction ${r.reverses ?? '(none named)'}`,
  },
  {
    // A partner merchant's redemption is one posted transaction that moved exactly its points from its payer's account
    // to its merchant's, and nothing else.
    check: 'merchant-redemption',
    sql: `SELECT r.id::text AS id, r.transaction_id::text AS transaction_id FROM merchant_redemption r
            JOIN merchant m ON m.id = r.merchant_id JOIN ledger_transaction t ON t.id = r.transaction_id
           WHERE t.status <> 'POSTED' OR EXISTS (
             (SELECT account_id, sum(amount)::bigint FROM posting WHERE transaction_id = r.transaction_id GROUP BY account_id
              EXCEPT VALUES (r.account_id, -r.points), (m.account_id, r.points))
             UNION ALL
             (VALUES (r.account_id, -r.points), (m.account_id, r.points)
              EXCEPT SELECT account_id, sum(amount)::bigint FROM posting WHERE transaction_id = r.transaction_id GROUP BY account_id))
           ORDER BY r.id`,
    describe: (r) => `merchant redemption ${r.id}: its transaction ${r.transaction_id} does not move exactly its points from the payer to the merchant`,
  },
  {
    // Every merchant's monthly statement (its redemptions of a Beijing month) sums to what the ledger moved into the
    // merchant's account that month: the settlement a merchant is paid on is the ledger's.
    check: 'merchant-statement',
    sql: `${MERCHANT_MONTHS} SELECT merchant_id::text AS merchant, month, statement::text, ledger::text FROM months
           WHERE statement <> ledger ORDER BY merchant_id, month`,
    describe: (r) => `merchant ${r.merchant}, ${r.month}: the statement (redemptions less refunds) sums to ${r.statement} points, the ledger moved ${r.ledger} into its account`,
  },
];

/** Every violation of the ledger's invariants; an empty list means the ledger is sound. */
export async function checkLedger(query: LedgerQuery): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  for (const { check, sql, describe } of CHECKS) {
    for (const row of await query(sql)) violations.push({ check, detail: describe(row) });
  }
  return violations;
}
