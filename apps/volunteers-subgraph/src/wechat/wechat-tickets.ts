import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { BadUserInput } from '@kz/errors';

/** What a ticket is for: binding a phone to an unbound openid, or opening a resident account for a new number. */
export type TicketKind = 'bind' | 'signUp';

export interface TicketClaims {
  kind: TicketKind;
  openid: string;
  unionid: string | null;
  /** The phone number WeChat vouched for (sign-up tickets only). */
  mobile?: string;
}

const AUDIENCE = 'kz-wechat-ticket';

/**
 * Short-lived signed tickets between the steps of signing in with WeChat. They carry the openid (and unionid, and for
 * a sign-up the number WeChat vouched for), never WeChat's session key, and are signed with a key of their own derived
 * from PII_ENCRYPTION_KEY, so no ticket passes for a bearer token or the other way round.
 */
export class WeChatTickets {
  private readonly key: Uint8Array;

  constructor(
    piiKey: string,
    private readonly issuer: string,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', Buffer.from(piiKey, 'hex')).update('kz-wechat-ticket-v1').digest();
  }

  async issue(claims: TicketClaims): Promise<{ ticket: string; expiresAt: Date }> {
    const expiresAt = new Date(this.now() + this.ttlSeconds * 1000);
    const ticket = await new SignJWT({ knd: claims.kind, oid: claims.openid, ...(claims.unionid ? { uid: claims.unionid } : {}), ...(claims.mobile ? { mob: claims.mobile } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { ticket, expiresAt };
  }

  /** The ticket's claims, or BAD_USER_INPUT on `field` for a ticket that is forged, expired or of the other kind. */
  async verify(ticket: string, kind: TicketKind, field = 'input.ticket'): Promise<TicketClaims> {
    try {
      const { payload } = await jwtVerify(ticket, this.key, { algorithms: ['HS256'], issuer: this.issuer, audience: AUDIENCE, currentDate: new Date(this.now()) });
      if (payload.knd !== kind || typeof payload.oid !== 'string') throw new Error('wrong kind of ticket');
      if (kind === 'signUp' && typeof payload.mob !== 'string') throw new Error('a sign-up ticket without a number');
      return {
        kind,
        openid: payload.oid,
        unionid: typeof payload.uid === 'string' ? payload.uid : null,
        ...(typeof payload.mob === 'string' ? { mobile: payload.mob } : {}),
      };
    } catch {
      throw new BadUserInput(field, { key: 'wechat.invalidTicket' });
    }
  }
}
