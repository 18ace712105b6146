/** Natural-keyed seed records. Seeders upsert by `code`, so loading a data set twice changes nothing. */
export type UnitLevel = 'CENTER' | 'INSTITUTE' | 'STATION' | 'POINT';
export type TeamKind = 'CORPS' | 'DIRECT' | 'BRANCH' | 'SQUAD' | 'LECTURE';

/** The seven haves (七有), in the order the standard lists them. */
export const SEVEN_HAVES = ['VENUE', 'SIGNAGE', 'STAFF', 'VOLUNTEER_TEAM', 'PROJECTS', 'RULES', 'FUNDING'] as const;
export type SevenHavesItem = (typeof SEVEN_HAVES)[number];

export interface SeedUnit {
  /** Stable natural key, e.g. `KZ` (center), `KZ-HANFENG` (institute), `KZ-HANFENG-YINGBIN` (station). */
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string | null;
  isDemonstration: boolean;
  address: string;
  lat: number;
  lng: number;
  contactName: string;
  /** A fictitious but well-formed mainland mobile number; seed data holds no real person's details. */
  contactPhone: string;
  /** Which of the seven haves the site meets (absent items are not met). */
  sevenHavesMet: SevenHavesItem[];
}

export interface SeedTeam {
  code: string;
  name: string;
  kind: TeamKind;
  specialty: string | null;
  parentCode: string | null;
  homeUnitCode: string;
}

export interface OrgDataset {
  units: SeedUnit[];
  teams: SeedTeam[];
}

export type SeedProfile = 'demo' | 'kaizhou';
