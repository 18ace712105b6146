/**
 * The love savings card number (爱心储蓄卡号): `KZ` + ten digits derived from the account id + one Luhn check digit,
 * printed as `KZ 0000 0012 34-5`. The check digit catches a mistyped or swapped digit before any lookup.
 */

const PREFIX = 'KZ';
const BODY_DIGITS = 10;

/** The Luhn check digit of a string of decimal digits. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Doubling starts from the rightmost digit of the body, since the check digit will follow it.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The card number of the account with this id, in its printed form. */
export function cardNumberFor(accountId: string | bigint): string {
  const body = BigInt(accountId).toString().padStart(BODY_DIGITS, '0');
  if (body.length > BODY_DIGITS) throw new Error(`account id ${accountId} does not fit a card number`);
  const check = luhnCheckDigit(body);
  return `${PREFIX} ${body.slice(0, 4)} ${body.slice(4, 8)} ${body.slice(8)}-${check}`;
}

/**
 * Reads a card number as a person may type it (any case, spaces or dashes anywhere) and returns its printed form,
 * or null when it is not a well-formed card number with a valid check digit.
 */
export function parseCardNumber(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  const match = new RegExp(`^${PREFIX}(\\d{${BODY_DIGITS}})(\\d)$`).exec(compact);
  const [, body, check] = match ?? [];
  if (!body || !check || luhnCheckDigit(body) !== Number(check)) return null;
  return cardNumberFor(body);
}
