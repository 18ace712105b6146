export { ROLES, STAFF_ROLES, isRole } from './roles';
export type { Role, Claims } from './roles';
export { createJwtVerifier, signToken } from './jwt';
export type { JwtVerifier } from './jwt';
export { signClaims, verifyClaims, CLAIMS_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER } from './claims-header';
export type { SignedOperation } from './claims-header';
export { Actor, pathWithin } from './actor';
