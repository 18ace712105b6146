import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Unauthenticated } from '@kz/errors';
import { Claims, isRole } from './roles';

/**
 * The gateway → subgraph trust link. The gateway signs the caller's claims together with a timestamp and a digest
 * of the operation it forwards; a subgraph accepts the claims only if the signature verifies, the timestamp is
 * fresh and the digest matches what it received. A captured header is useless for another operation or later on.
 */
export const CLAIMS_HEADER = 'x-kz-claims';
export const TIMESTAMP_HEADER = 'x-kz-timestamp';
export const SIGNATURE_HEADER = 'x-kz-signature';

export interface SignedOperation {
  query: string;
  variables?: Record<string, unknown> | null;
}

const ANONYMOUS = 'anonymous';

function digest(operation: SignedOperation): string {
  return createHash('sha256')
    .update(operation.query)
    .update('\n')
    .update(JSON.stringify(operation.variables ?? {}))
    .digest('base64url');
}

function mac(secret: string, timestamp: string, claims: string, operation: SignedOperation): Buffer {
  return createHmac('sha256', secret).update(`v1\n${timestamp}\n${claims}\n${digest(operation)}`).digest();
}

export function signClaims(
  secret: string,
  claims: Claims | null,
  operation: SignedOperation,
  now = Date.now(),
): Record<string, string> {
  const encoded = claims ? Buffer.from(JSON.stringify(claims)).toString('base64url') : ANONYMOUS;
  const timestamp = String(now);
  return {
    [CLAIMS_HEADER]: encoded,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: mac(secret, timestamp, encoded, operation).toString('base64url'),
  };
}

type HeaderGetter = (name: string) => string | undefined;

/** Returns the caller's claims (null for an anonymous caller) or throws `UNAUTHENTICATED` (`gatewayOnly`). */
export function verifyClaims(
  secret: string,
  header: HeaderGetter,
  operation: SignedOperation,
  maxAgeSeconds: number,
  now = Date.now(),
): Claims | null {
  const encoded = header(CLAIMS_HEADER);
  const timestamp = header(TIMESTAMP_HEADER);
  const signature = header(SIGNATURE_HEADER);
  if (!encoded || !timestamp || !signature || !/^\d{1,16}$/.test(timestamp)) {
    throw new Unauthenticated('gatewayOnly');
  }
  if (Math.abs(now - Number(timestamp)) > maxAgeSeconds * 1000) throw new Unauthenticated('gatewayOnly');
  const expected = mac(secret, timestamp, encoded, operation);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Unauthenticated('gatewayOnly');
  }
  if (encoded === ANONYMOUS) return null;
  const claims = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Claims;
  if (typeof claims.sub !== 'string' || !Array.isArray(claims.roles) || !claims.roles.every(isRole)) {
    throw new Unauthenticated('gatewayOnly');
  }
  return claims;
}
