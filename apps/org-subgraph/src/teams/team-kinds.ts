import type { UnitLevel } from '../units/unit-levels';

export const TEAM_KINDS = ['CORPS', 'DIRECT', 'BRANCH', 'SQUAD', 'LECTURE'] as const;
export type TeamKind = (typeof TEAM_KINDS)[number];

/** The structure of the volunteer force as data: each kind's parent kind and the level of unit it is based at. */
export const TEAM_RULES: Record<TeamKind, { parentKind: TeamKind | null; homeLevel: UnitLevel }> = {
  CORPS: { parentKind: null, homeLevel: 'CENTER' },
  DIRECT: { parentKind: 'CORPS', homeLevel: 'CENTER' },
  LECTURE: { parentKind: 'CORPS', homeLevel: 'CENTER' },
  BRANCH: { parentKind: 'CORPS', homeLevel: 'INSTITUTE' },
  SQUAD: { parentKind: 'BRANCH', homeLevel: 'STATION' },
};

export const KIND_ZH: Record<TeamKind, string> = {
  CORPS: '志愿服务总队',
  DIRECT: '直属队伍',
  BRANCH: '志愿服务分队',
  SQUAD: '志愿服务小队',
  LECTURE: '宣讲队',
};
