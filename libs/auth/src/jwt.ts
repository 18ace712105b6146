import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '@kz/config';
import { Unauthenticated } from '@kz/errors';
import { Claims, isRole, STAFF_ROLES } from './roles';

type JwtConfig = Pick<Config, 'JWT_SECRET' | 'JWT_PUBLIC_KEY' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_CLOCK_TOLERANCE_SECONDS'>;

export type JwtVerifier = (token: string) => Promise<Claims>;

/**
 * Verifies bearer tokens: HS256 with the shared secret by default, or only RS256/ES256 with `JWT_PUBLIC_KEY`.
 * The algorithm list is fixed, so `alg: none` and algorithm-confusion tokens fail. A token stays valid for
 * `JWT_CLOCK_TOLERANCE_SECONDS` after its `exp`, so a few seconds of clock difference between the machine that signed
 * it and this one does not turn a fresh token away.
 */
export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const key: KeyObject = config.JWT_PUBLIC_KEY
    ? createPublicKey(config.JWT_PUBLIC_KEY)
    : createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
  const algorithms = config.JWT_PUBLIC_KEY ? ['RS256', 'ES256'] : ['HS256'];
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: config.JWT_CLOCK_TOLERANCE_SECONDS,
      });
      return claimsFromPayload(payload);
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new Unauthenticated('expiredToken');
      throw new Unauthenticated('invalidToken');
    }
  };
}

/** The claims a token's payload carries, checked as verification checks them (UNAUTHENTICATED when malformed). */
export function claimsFromPayload(payload: Record<string, unknown>): Claims {
  const roles = payload.roles;
  if (typeof payload.sub !== 'string' || !Array.isArray(roles) || !roles.every(isRole)) {
    throw new Unauthenticated('invalidToken');
  }
  const claims: Claims = { sub: payload.sub, roles };
  if (typeof payload.unitId === 'string') claims.unitId = payload.unitId;
  if (typeof payload.unitPath === 'string') claims.unitPath = payload.unitPath;
  if (roles.some((role) => STAFF_ROLES.includes(role)) && !claims.unitPath) {
    throw new Unauthenticated('invalidToken'); // a staff token without its unit cannot be scoped
  }
  return claims;
}

/**
 * Signs a token for the login mutation, the dev token tool and tests: with `JWT_PRIVATE_KEY` when configured
 * (RS256 or ES256 by key type), else HS256 with the shared secret.
 */
export async function signToken(
  config: Pick<Config, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'> & Partial<Pick<Config, 'JWT_PRIVATE_KEY'>>,
  claims: Claims,
  ttlSeconds = 3600,
): Promise<string> {
  const { sub, ...rest } = claims;
  const key = config.JWT_PRIVATE_KEY ? createPrivateKey(config.JWT_PRIVATE_KEY) : createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
  const alg = key.type === 'secret' ? 'HS256' : key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}
