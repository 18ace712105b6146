import type { Claims } from '@kz/auth';

/**
 * The small unit tree the subgraph's specs share, as org publishes it: the center, an institute with a station, and
 * another institute with another station (so "outside the subtree" has a place to be).
 */
export const CENTER = { id: '1', code: 'C', path: '1', level: 'CENTER', name: '开州区新时代文明实践中心' } as const;
export const INSTITUTE = { id: '2', code: 'I', path: '1/2', level: 'INSTITUTE', name: '汉丰街道实践所' } as const;
export const STATION = { id: '5', code: 'S5', path: '1/2/5', level: 'STATION', name: '迎宾社区实践站' } as const;
export const OTHER_INSTITUTE = { id: '3', code: 'I3', path: '1/3', level: 'INSTITUTE', name: '云枫街道实践所' } as const;
export const OTHER_STATION = { id: '7', code: 'S7', path: '1/3/7', level: 'STATION', name: '永先社区实践站' } as const;
export const UNIT_TREE = [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION];

/** The center admin's claims. */
export const centerAdmin: Claims = { sub: 'p-center', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' };
