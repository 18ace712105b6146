/**
 * Hours from minutes, one rule (docs/records.md, "Hours"). Minutes are the truth a record keeps; hours are what a
 * record shows on a certificate or in an export, and they are always made here:
 *
 * - `DECIMAL_2` (the default): minutes / 60, rounded half up to two decimals (90 → 1.5, 50 → 0.83, 1 → 0.02);
 * - `STARTED_HOUR_0`, `STARTED_HOUR_0_5`, `STARTED_HOUR_1`: whole hours, and a started (incomplete) hour counts 0,
 *   0.5 or 1 hour, the step rules some provincial platforms use (90 → 1, 1.5 or 2).
 *
 * A total is the sum of the hours of its records, never the hours of the summed minutes: under a step rule those
 * differ (two records of 30 minutes are 2 hours under STARTED_HOUR_1, one of 60 minutes is 1), and a certificate's
 * total must equal the sum of the lines it lists.
 */
export const HOURS_RULES = ['DECIMAL_2', 'STARTED_HOUR_0', 'STARTED_HOUR_0_5', 'STARTED_HOUR_1'] as const;
export type HoursRule = (typeof HOURS_RULES)[number];

const STARTED_HOUR_CREDIT: Record<Exclude<HoursRule, 'DECIMAL_2'>, number> = {
  STARTED_HOUR_0: 0,
  STARTED_HOUR_0_5: 0.5,
  STARTED_HOUR_1: 1,
};

/** The hours of one record's minutes under `rule`. Minutes must be a whole number ≥ 0. */
export function hoursFromMinutes(minutes: number, rule: HoursRule = 'DECIMAL_2'): number {
  if (!Number.isInteger(minutes) || minutes < 0) throw new RangeError(`minutes must be a whole number ≥ 0, not ${minutes}`);
  if (rule === 'DECIMAL_2') return Math.round((minutes * 100) / 60) / 100;
  const whole = Math.floor(minutes / 60);
  return whole + (minutes % 60 > 0 ? STARTED_HOUR_CREDIT[rule] : 0);
}

/**
 * The total hours of records: the sum of each record's hours, kept exact to the hundredth (sums of two-decimal
 * numbers drift in binary floating point, so they are added as whole hundredths).
 */
export function totalHours(minutesOfRecords: readonly number[], rule: HoursRule = 'DECIMAL_2'): number {
  const hundredths = minutesOfRecords.reduce((sum, minutes) => sum + Math.round(hoursFromMinutes(minutes, rule) * 100), 0);
  return hundredths / 100;
}
