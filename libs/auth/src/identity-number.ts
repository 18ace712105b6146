/**
 * The 18-character resident identity number (居民身份证号码, GB 11643-1999): 6-digit region, 8-digit birth date,
 * 3-digit sequence, and a check character (0–9 or X) computed with ISO 7064 MOD 11-2.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function normalizeIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

export function isValidIdNumber(value: string): boolean {
  const id = normalizeIdNumber(value);
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day || birth.getTime() > Date.now()) {
    return false;
  }
  const sum = WEIGHTS.reduce((total, weight, index) => total + weight * Number(id[index]), 0);
  return CHECK[sum % 11] === id[17];
}

/** `500234199001011234` → `500234********1234`: the region and the last four, as shown to those not entitled. */
export function maskIdNumber(value: string): string {
  const id = normalizeIdNumber(value);
  return `${id.slice(0, 6)}${'*'.repeat(8)}${id.slice(14)}`;
}

/** `13812345678` → `138****5678`. */
export function maskMobile(mobile: string): string {
  return `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
}

/** `张三丰` → `张**`: the family name only. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? name : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** Builds a valid number from its first 17 digits (seed data and tests). */
export function withCheckDigit(first17: string): string {
  const sum = WEIGHTS.reduce((total, weight, index) => total + weight * Number(first17[index]), 0);
  return `${first17}${CHECK[sum % 11]}`;
}
