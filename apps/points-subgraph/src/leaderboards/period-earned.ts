import type { EntityManager } from 'typeorm';
import { CALENDAR_PERIODS, periodStartSql } from '@kz/subgraph';

/**
 * Points earned per person account per Beijing calendar period (`points_period_earned`): the week from Monday, the
 * month and the year the ledger transaction is dated in. "Earned" is what `points_account.lifetime_earned` counts
 * (ledger.ts `lifetimeDelta`): credits and credit corrections that add points, less the reversals of such postings;
 * never transfers in, refunds or adjustments. The ledger keeps it in the transaction that posts (`apply`), so the
 * period boards read one row per account instead of summing postings; all time reads `lifetime_earned` itself.
 */
export const EARNING_PERIODS = CALENDAR_PERIODS;

/** Adds `earned` points (negative for a reversal) to the account's week, month and year of instant `at`. */
export async function addPeriodEarned(manager: EntityManager, accountId: string, earned: number, at: Date | string | null): Promise<void> {
  if (earned === 0) return;
  const selects = EARNING_PERIODS.map((period) => `SELECT '${period}'::text, ${periodStartSql(period, 'coalesce($3::timestamptz, now())')}`).join(' UNION ALL ');
  await manager.query(
    `INSERT INTO points_period_earned AS e (period, starts_on, account_id, points)
     SELECT p.period, p.starts_on, $1, $2 FROM (${selects}) AS p(period, starts_on)
     ON CONFLICT (period, starts_on, account_id) DO UPDATE SET points = e.points + EXCLUDED.points`,
    [accountId, earned, at ? new Date(at).toISOString() : null],
  );
}

/**
 * Recomputes every period's points from the ledger (the migration's backfill): the same rule as `lifetimeDelta`,
 * over the posted postings of person accounts.
 */
export async function rebuildPeriodEarned(manager: EntityManager): Promise<void> {
  await manager.query('DELETE FROM points_period_earned');
  for (const period of EARNING_PERIODS) {
    await manager.query(
      `INSERT INTO points_period_earned (period, starts_on, account_id, points)
       SELECT '${period}', ${periodStartSql(period, 't.created_at')}, p.account_id, sum(p.amount)
         FROM posting p
         JOIN ledger_transaction t ON t.id = p.transaction_id
         JOIN points_account a ON a.id = p.account_id AND a.kind = 'PERSON'
         LEFT JOIN ledger_transaction r ON r.id = t.reverses_id
        WHERE t.status = 'POSTED'
          AND ((t.kind IN ('CREDIT', 'CREDIT_CORRECTION') AND p.amount > 0)
            OR (t.kind = 'REVERSAL' AND r.kind IN ('CREDIT', 'CREDIT_CORRECTION') AND p.amount < 0))
        GROUP BY 2, 3 HAVING sum(p.amount) <> 0`,
    );
  }
}
