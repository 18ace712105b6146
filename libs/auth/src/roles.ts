/** The roles of `shared/ROLES.md`, one vocabulary for every service. */
export const ROLES = [
  'RESIDENT',
  'VOLUNTEER',
  'GRID_WORKER',
  'STATION_ADMIN',
  'INSTITUTE_ADMIN',
  'DISPATCHER',
  'CENTER_ADMIN',
  'ANALYST',
  'SERVICE',
  'MERCHANT',
] as const;

export type Role = (typeof ROLES)[number];

/**
 * Roles that administer a unit and therefore carry its id and path in their token. MERCHANT is not one: a partner
 * merchant's staff administer no unit and see no one's personal data; what they may touch is decided by the
 * points subgraph's merchant_staff table (their merchant's offers, redemptions and statements only).
 */
export const STAFF_ROLES: readonly Role[] = [
  'GRID_WORKER',
  'STATION_ADMIN',
  'INSTITUTE_ADMIN',
  'DISPATCHER',
  'CENTER_ADMIN',
  'ANALYST',
];

/** What a verified token says about its holder. */
export interface Claims {
  sub: string;
  roles: Role[];
  unitId?: string;
  unitPath?: string;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
