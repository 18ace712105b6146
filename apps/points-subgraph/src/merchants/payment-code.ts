import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The volunteer's payment code (付款码), which the client shows as a QR code and a merchant's staff scan:
 * `KZPAY1.<personId>.<expiresAt, ms base36>.<nonce>.<mac>`. The MAC (HMAC-SHA256, truncated to 128 bits) covers
 * everything before it, so neither the holder nor the expiry can be changed; the nonce makes each code single-use
 * (`payment_code_use`, keyed by it, is written in the redeeming transaction). Nothing is stored when a code is
 * issued: a code nobody scans costs nothing.
 *
 * The key is derived from `CLAIMS_SIGNING_SECRET` (one secret to rotate, refused in production when left at its
 * development default), under a label of its own, so a payment code MAC is never a valid claims-header MAC.
 */
const PREFIX = 'KZPAY1';
const MAC_BYTES = 16;

export interface PaymentCode {
  code: string;
  personId: string;
  expiresAt: Date;
  nonce: string;
}

export type PaymentCodeProblem = 'FORGED' | 'EXPIRED';

export class PaymentCodes {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = createHmac('sha256', secret).update('kz-payment-code-v1').digest();
  }

  issue(personId: string, now: Date): PaymentCode {
    const expiresAt = new Date(now.getTime() + this.ttlSeconds * 1000);
    const nonce = randomBytes(12).toString('base64url');
    const body = `${PREFIX}.${personId}.${expiresAt.getTime().toString(36)}.${nonce}`;
    return { code: `${body}.${this.mac(body).toString('base64url')}`, personId, expiresAt, nonce };
  }

  /** The code's holder, expiry and nonce, or why it is refused: not made by us (or mangled), or past its time. */
  verify(code: string, now: Date): { ok: true; code: PaymentCode } | { ok: false; problem: PaymentCodeProblem } {
    const parts = code.trim().split('.');
    if (parts.length !== 5 || parts[0] !== PREFIX) return { ok: false, problem: 'FORGED' };
    const [, personId, expiry, nonce, mac] = parts as [string, string, string, string, string];
    if (!/^[1-9]\d{0,17}$/.test(personId) || !/^[0-9a-z]{1,12}$/.test(expiry) || !/^[\w-]{16}$/.test(nonce)) return { ok: false, problem: 'FORGED' };
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(parts.slice(0, 4).join('.'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'FORGED' };
    const expiresAt = new Date(parseInt(expiry, 36));
    if (expiresAt.getTime() <= now.getTime()) return { ok: false, problem: 'EXPIRED' };
    return { ok: true, code: { code: code.trim(), personId, expiresAt, nonce } };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
