import { randomBytes } from 'node:crypto';

/** Certificates' numbers: `ZYFW-` and 26 characters of RFC 4648 base32 over 128 random bits (unguessable, unique). */
export const CERTIFICATE_PREFIX = 'ZYFW-';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const CERTIFICATE_NUMBER = /^ZYFW-[A-Z2-7]{26}$/;

export function newCertificateNumber(): string {
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return CERTIFICATE_PREFIX + out;
}
