import type { EntityManager } from 'typeorm';

/**
 * Earning rules (积分规则): how many points an hour of verified service is worth, per activity category, with the
 * default rule (category null) for every category without one of its own.
 *
 * Rules are versioned, never updated: setting a rule inserts a new version with an `effectiveFrom` that is not in
 * the past, and a credit uses the version in force when the hours were verified. So a rule change never rewrites
 * history, and a correction can recompute with the very version the original credit used.
 */
export interface EarningRule {
  id: string;
  /** Activity category code; null for the default rule. */
  category: string | null;
  pointsPerHour: number;
  multiplier: number;
  dailyCap: number | null;
  effectiveFrom: Date;
  createdBy: string;
}

const RULE_COLUMNS = `id::text, category, points_per_hour::text AS "pointsPerHour", multiplier::text AS multiplier,
  daily_cap AS "dailyCap", effective_from AS "effectiveFrom", created_by AS "createdBy"`;

interface RuleRow {
  id: string;
  category: string | null;
  pointsPerHour: string;
  multiplier: string;
  dailyCap: number | null;
  effectiveFrom: Date;
  createdBy: string;
}

function toRule(row: RuleRow): EarningRule {
  return { ...row, pointsPerHour: Number(row.pointsPerHour), multiplier: Number(row.multiplier) };
}

/** The version in force at `at` for `category`: the category's own if it has one by then, else the default. */
export async function ruleInForce(manager: EntityManager, category: string, at: Date): Promise<EarningRule> {
  const [row] = await manager.query(
    `SELECT ${RULE_COLUMNS} FROM earning_rule
      WHERE (category = $1 OR category IS NULL) AND effective_from <= $2
      ORDER BY category NULLS LAST, effective_from DESC, id DESC
      LIMIT 1`,
    [category, at],
  );
  // The migration seeds a default from the epoch, so this only fails on a broken database.
  if (!row) throw new Error(`no earning rule in force at ${at.toISOString()} (the default rule is missing)`);
  return toRule(row);
}

export async function ruleById(manager: EntityManager, id: string): Promise<EarningRule | null> {
  const [row] = await manager.query(`SELECT ${RULE_COLUMNS} FROM earning_rule WHERE id = $1`, [id]);
  return row ? toRule(row) : null;
}

/** The rules in force now: the latest effective version per category, the default first, then by category. */
export async function rulesInForce(manager: EntityManager): Promise<EarningRule[]> {
  const rows: RuleRow[] = await manager.query(
    `SELECT DISTINCT ON (category) ${RULE_COLUMNS} FROM earning_rule
      WHERE effective_from <= now()
      ORDER BY category NULLS FIRST, effective_from DESC, id DESC`,
  );
  return rows.map(toRule);
}

export interface NewRuleVersion {
  category: string | null;
  pointsPerHour: number;
  multiplier: number;
  dailyCap: number | null;
  /** Null: from now. A time a moment in the past (clock skew) is taken as now, so history never changes. */
  effectiveFrom: Date | null;
  createdBy: string;
}

export async function insertRuleVersion(manager: EntityManager, rule: NewRuleVersion): Promise<EarningRule> {
  const [row] = await manager.query(
    `INSERT INTO earning_rule (category, points_per_hour, multiplier, daily_cap, effective_from, created_by)
     VALUES ($1, $2, $3, $4, greatest(coalesce($5::timestamptz, now()), now()), $6)
     RETURNING ${RULE_COLUMNS}`,
    [rule.category, rule.pointsPerHour, rule.multiplier, rule.dailyCap, rule.effectiveFrom, rule.createdBy],
  );
  return toRule(row);
}

/** Rule values are stored with two decimals; working in hundredths keeps the arithmetic exact. */
const hundredths = (value: number) => BigInt(Math.round(value * 100));

/**
 * Points for `minutes` of service under `rule`: floor(minutes / 60 × pointsPerHour × multiplier).
 *
 * Rounding is always down, to a whole point, and computed exactly (integer hundredths, no floating point), so
 * 90 minutes at 10 per hour is exactly 15 and 7 minutes at 10 per hour is 1. A fraction of a point is never paid,
 * so points never exceed what the rule promises. The daily cap is applied separately, by the caller.
 */
export function pointsFor(minutes: number, rule: Pick<EarningRule, 'pointsPerHour' | 'multiplier'>): number {
  if (!Number.isSafeInteger(minutes) || minutes <= 0) return 0;
  const numerator = BigInt(minutes) * hundredths(rule.pointsPerHour) * hundredths(rule.multiplier);
  return Number(numerator / 600_000n); // 60 minutes × 100 × 100; bigint division truncates, i.e. floors here
}

const SHANGHAI_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day (YYYY-MM-DD) of an instant in Kaizhou (Asia/Shanghai), the day a daily cap counts in. */
export function shanghaiDay(at: Date): string {
  return SHANGHAI_DAY.format(at);
}
