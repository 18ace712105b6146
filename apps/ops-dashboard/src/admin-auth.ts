import type { IncomingMessage } from 'node:http';
import type { Claims, JwtVerifier } from '@kz/auth';
import { DomainError, Forbidden, Unauthenticated } from '@kz/errors';

/** The HttpOnly cookie the login form sets, holding the admin's token. */
export const SESSION_COOKIE = 'kz_ops_token';

/** Who may open the dashboard: it can retry, promote and remove jobs of every queue, so the center only. */
export const ADMIN_ROLE = 'CENTER_ADMIN';

/** The named cookie of a request, if any. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token a request presents: `Authorization: Bearer …` first, else the session cookie. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
    // A malformed header is refused, not silently replaced by the cookie.
    return match ? match[1]! : '';
  }
  return cookieValue(req, SESSION_COOKIE);
}

export type AdminDecision = { allowed: true; claims: Claims } | { allowed: false; status: 401 | 403; error: DomainError };

/** 401 without a valid token, 403 with a valid one that is not a CENTER_ADMIN's, allowed otherwise. */
export async function authorizeAdmin(verify: JwtVerifier, token: string | undefined): Promise<AdminDecision> {
  if (token === undefined) return { allowed: false, status: 401, error: new Unauthenticated('required') };
  let claims: Claims;
  try {
    claims = await verify(token);
  } catch (error) {
    if (error instanceof DomainError) return { allowed: false, status: 401, error };
    throw error;
  }
  if (!claims.roles.includes(ADMIN_ROLE)) return { allowed: false, status: 403, error: new Forbidden() };
  return { allowed: true, claims };
}

/** Seconds until a (verified) token expires, for the cookie's Max-Age. */
export function secondsLeft(token: string, now = Date.now()): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? Math.max(Math.floor(payload.exp - now / 1000), 0) : 0;
  } catch {
    return 0;
  }
}

/** The Set-Cookie value of a session (HttpOnly, SameSite=Strict; Secure in production, where it runs behind TLS). */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
