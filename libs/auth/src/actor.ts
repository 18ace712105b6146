import { Forbidden, Unauthenticated } from '@kz/errors';
import { Claims, Role, STAFF_ROLES } from './roles';

/** True when `path` is the scope root itself or lies below it (`1/7` contains `1/7` and `1/7/123`, not `1/70`). */
export function pathWithin(path: string, scopeRoot: string): boolean {
  return path === scopeRoot || path.startsWith(`${scopeRoot}/`);
}

/**
 * Who is calling, with the guards every resolver uses. Authorization is decided where the data lives, with the
 * unit path in the token, without calling another service.
 */
export class Actor {
  constructor(readonly claims: Claims | null) {}

  get isAuthenticated(): boolean {
    return this.claims !== null;
  }

  get personId(): string | undefined {
    return this.claims?.sub;
  }

  hasRole(...roles: Role[]): boolean {
    return !!this.claims && this.claims.roles.some((role) => roles.includes(role));
  }

  get isStaff(): boolean {
    return this.hasRole(...STAFF_ROLES);
  }

  /** CENTER_ADMIN is in scope everywhere; other staff roles only inside the subtree of their unit. */
  inScope(path: string, roles: Role[]): boolean {
    if (!this.claims) return false;
    if (roles.includes('CENTER_ADMIN') && this.hasRole('CENTER_ADMIN')) return true;
    const scoped = this.claims.roles.filter((role) => role !== 'CENTER_ADMIN' && roles.includes(role));
    return scoped.length > 0 && !!this.claims.unitPath && pathWithin(path, this.claims.unitPath);
  }

  requireAuthenticated(): Claims {
    if (!this.claims) throw new Unauthenticated('required');
    return this.claims;
  }

  requireRole(...roles: Role[]): Claims {
    const claims = this.requireAuthenticated();
    if (!this.hasRole(...roles)) throw new Forbidden();
    return claims;
  }

  /** The record at `path` must be inside the subtree of one of the caller's `roles`. */
  requireScope(path: string, ...roles: Role[]): Claims {
    const claims = this.requireAuthenticated();
    if (!this.inScope(path, roles)) throw new Forbidden();
    return claims;
  }
}
