import { Client } from 'pg';
import { pgClientConfig, PgConfig } from '@kz/db';
import { checkLedger, LedgerViolation, MERCHANT_MONTHS } from '@kz/points-subgraph';

export interface LedgerReport {
  database: string;
  transactions: number;
  postings: number;
  accounts: number;
  /** Merchant statements checked against the ledger: one per merchant and Beijing month with redemptions or movements. */
  merchantStatements: number;
  violations: LedgerViolation[];
}

/**
 * Checks a points database's ledger. Every check reads the same snapshot (one repeatable-read, read-only
 * transaction), so a ledger in use is judged as it stood at one instant, never half-way through a movement.
 */
export async function verifyLedgerDatabase(config: PgConfig, database: string): Promise<LedgerReport> {
  const client = new Client({ ...pgClientConfig(config, database), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const violations = await checkLedger(async (sql) => (await client.query(sql)).rows);
    const {
      rows: [counts],
    } = await client.query(
      `SELECT (SELECT count(*) FROM ledger_transaction)::int AS transactions, (SELECT count(*) FROM posting)::int AS postings,
              (SELECT count(*) FROM points_account)::int AS accounts`,
    );
    const {
      rows: [statements],
    } = await client.query(`${MERCHANT_MONTHS} SELECT count(*)::int AS n FROM months`);
    await client.query('COMMIT');
    return { database, ...counts, merchantStatements: statements.n, violations };
  } finally {
    await client.end();
  }
}

/** The report as `npm run ledger:verify` prints it: each violation on its own line, then the verdict. */
export function formatReport(report: LedgerReport): string {
  const lines = report.violations.map((violation) => `VIOLATION [${violation.check}] ${violation.detail}`);
  const scope = `${report.transactions} transactions, ${report.postings} postings, ${report.accounts} accounts, ${report.merchantStatements} merchant statements in ${report.database}`;
  lines.push(report.violations.length === 0 ? `ledger OK: ${scope}` : `ledger BROKEN: ${report.violations.length} violation(s) among ${scope}`);
  return `${lines.join('\n')}\n`;
}
