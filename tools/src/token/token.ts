import { Claims, isRole, ROLES, signToken, STAFF_ROLES } from '@kz/auth';
import type { Config } from '@kz/config';
import { openOrgDatabase } from '../shared/databases';

export interface TokenRequest {
  role: string;
  unit?: string;
  person?: string;
  ttlSeconds?: number;
}

/**
 * A signed development token. Staff roles are scoped to a unit, given by id or code (default: the center for
 * CENTER_ADMIN, DISPATCHER and ANALYST); its path comes from the org database so scope checks work.
 */
export async function devToken(config: Config, request: TokenRequest): Promise<{ token: string; claims: Claims }> {
  if (config.NODE_ENV === 'production') {
    throw new Error('npm run token is a development tool and refuses to sign tokens when NODE_ENV=production');
  }
  if (!isRole(request.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  // A partner merchant's staff act for the merchant they are bound to (addMerchantStaff) by person id: no stand-in id.
  if (request.role === 'MERCHANT' && !/^[1-9]\d{0,17}$/.test(request.person ?? '')) {
    throw new Error('--person ID is required for MERCHANT: the id of a person bound to the merchant with addMerchantStaff');
  }
  const claims: Claims = { sub: request.person ?? `dev-${request.role.toLowerCase()}`, roles: [request.role] };
  if (STAFF_ROLES.includes(request.role)) {
    const org = await openOrgDatabase(config);
    try {
      const centerWide = ['CENTER_ADMIN', 'DISPATCHER', 'ANALYST'].includes(request.role);
      if (!request.unit && !centerWide) throw new Error(`--unit ID|CODE is required for ${request.role}`);
      const rows: { id: string; path: string }[] = request.unit
        ? await org.query('SELECT id::text, path FROM practice_unit WHERE id::text = $1 OR code = $1', [request.unit])
        : await org.query(`SELECT id::text, path FROM practice_unit WHERE level = 'CENTER'`);
      const unit = rows[0];
      if (!unit) throw new Error(`no unit ${request.unit ?? '(center)'}; seed first (npm run seed) or check the id/code`);
      claims.unitId = unit.id;
      claims.unitPath = unit.path;
    } finally {
      await org.destroy();
    }
  }
  return { token: await signToken(config, claims, request.ttlSeconds ?? 12 * 3600), claims };
}
