/** The hierarchy as data: which level sits under which, and the Chinese names used in messages and seed data. */
export const UNIT_LEVELS = ['CENTER', 'INSTITUTE', 'STATION', 'POINT'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const PARENT_LEVEL: Record<UnitLevel, UnitLevel | null> = {
  CENTER: null,
  INSTITUTE: 'CENTER',
  STATION: 'INSTITUTE',
  POINT: 'STATION',
};

export const LEVEL_ZH: Record<UnitLevel, string> = {
  CENTER: '实践中心',
  INSTITUTE: '实践所',
  STATION: '实践站',
  POINT: '实践点',
};

/** Levels that may be designated demonstration sites (示范所, 示范站, 示范点): every level but the center itself. */
export const DEMONSTRATION_LEVELS: readonly UnitLevel[] = ['INSTITUTE', 'STATION', 'POINT'];
