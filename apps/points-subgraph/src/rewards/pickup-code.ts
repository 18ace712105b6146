import { randomInt } from 'node:crypto';

/** Characters a person reads out or types without confusion: no 0/O, 1/I/L. */
export const PICKUP_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const PICKUP_CODE_LENGTH = 8;

/** A fresh pickup code: 8 characters drawn uniformly (crypto-random) from the alphabet, about 40 bits. */
export function newPickupCode(): string {
  let code = '';
  for (let i = 0; i < PICKUP_CODE_LENGTH; i += 1) code += PICKUP_ALPHABET[randomInt(PICKUP_ALPHABET.length)];
  return code;
}

const WELL_FORMED = new RegExp(`^[${PICKUP_ALPHABET}]{${PICKUP_CODE_LENGTH}}$`);

/** A code as typed at the counter (any case, spaces or dashes), in its stored form; null if it cannot be one. */
export function normalizePickupCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return WELL_FORMED.test(code) ? code : null;
}
