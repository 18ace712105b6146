import type { Claims, Role } from '@kz/auth';

/** Claims of a caller, as a token or the gateway's signed header carries them. */
export const aCaller = {
  resident: (sub = 'p-resident'): Claims => ({ sub, roles: ['RESIDENT'] }),
  /** A staff member scoped to a unit (its id and materialized path). */
  staff: (role: Role, unit: { id: string; path: string }, sub = `p-${role.toLowerCase()}`): Claims => ({
    sub,
    roles: [role],
    unitId: unit.id,
    unitPath: unit.path,
  }),
};

/** Inputs of the org mutations, valid unless overridden, so a test names only what it is about. */
export const anInput = {
  unit: (overrides: Record<string, unknown> = {}) => ({ level: 'STATION', name: '测试社区新时代文明实践站', ...overrides }),
  team: (overrides: Record<string, unknown> = {}) => ({ name: '测试志愿服务小队', kind: 'SQUAD', ...overrides }),
};
