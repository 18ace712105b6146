import type { SeedProfile } from './types';

export type SeedRole =
  | 'RESIDENT'
  | 'VOLUNTEER'
  | 'GRID_WORKER'
  | 'STATION_ADMIN'
  | 'INSTITUTE_ADMIN'
  | 'DISPATCHER'
  | 'CENTER_ADMIN'
  | 'ANALYST';

/** A person with a login. Natural key: the mobile number. */
export interface SeedPerson {
  mobile: string;
  realName: string;
  /** First 17 digits of a fictitious ID number; the seeder appends the check character. */
  idNumberStem: string;
  /** Extra role besides RESIDENT (staff roles administer `unitCode`). */
  role: SeedRole;
  /** Home station (and, for a staff role, the unit it administers). */
  unitCode: string;
  note: string;
}

/**
 * The development password of every demo login. Development only: `npm run seed` refuses to create logins when
 * NODE_ENV=production.
 */
export const DEMO_PASSWORD = 'kaizhou2026';

/**
 * One login per role, plus the people the report names: volunteer 何毅 and resident 周先生 of 迎宾社区 (the report
 * gives only his family name; 周建华 is our stand-in). Every number is fictitious (139 0023 xxxx).
 */
const DEMO_PEOPLE: SeedPerson[] = [
  { mobile: '13900230001', realName: '开州中心管理员', idNumberStem: '50023419800101001', role: 'CENTER_ADMIN', unitCode: 'KZ', note: 'district center admin' },
  { mobile: '13900230002', realName: '开州派单员', idNumberStem: '50023419850202002', role: 'DISPATCHER', unitCode: 'KZ', note: 'center dispatcher (中转站)' },
  { mobile: '13900230003', realName: '开州统计员', idNumberStem: '50023419860303003', role: 'ANALYST', unitCode: 'KZ', note: 'district analyst' },
  { mobile: '13900230004', realName: '汉丰所管理员', idNumberStem: '50023419870404004', role: 'INSTITUTE_ADMIN', unitCode: 'KZ-HANFENG', note: '汉丰街道 institute admin' },
  { mobile: '13900230005', realName: '迎宾站管理员', idNumberStem: '50023419880505005', role: 'STATION_ADMIN', unitCode: 'KZ-HANFENG-YINGBIN', note: '迎宾社区 station admin' },
  { mobile: '13900230006', realName: '迎宾网格员', idNumberStem: '50023419890606006', role: 'GRID_WORKER', unitCode: 'KZ-HANFENG-YINGBIN', note: '迎宾社区 grid worker' },
  { mobile: '13900230007', realName: '何毅', idNumberStem: '50023419750707007', role: 'VOLUNTEER', unitCode: 'KZ-HANFENG-YINGBIN', note: 'volunteer with over 200 service hours (in the report)' },
  { mobile: '13900230008', realName: '周建华', idNumberStem: '50023419600808008', role: 'RESIDENT', unitCode: 'KZ-HANFENG-YINGBIN', note: '周先生 of 腾龙广场小区, 迎宾社区 (in the report)' },
];

/** The people with logins of a profile (kaizhou adds the 73,000 volunteers in a later step). */
export function peopleDataset(profile: SeedProfile): SeedPerson[] {
  void profile;
  return DEMO_PEOPLE.map((person) => ({ ...person }));
}
