import { kaizhouTeams } from './kaizhou-teams';
import { kaizhouUnits } from './kaizhou-units';
import type { OrgDataset, SeedProfile } from './types';

/** The full district: 1 center, 40 institutes, 535 stations, 1 point; 1 + 17 + 40 + 535 + 6 teams. */
function kaizhouDataset(): OrgDataset {
  const units = kaizhouUnits();
  return { units, teams: kaizhouTeams(units) };
}

/** Units of the demo profile: three institutes with a few stations each, and the 开州国学院 point. */
const DEMO_UNIT_CODES: ReadonlySet<string> = new Set([
  'KZ',
  'KZ-HANFENG',
  'KZ-YUNFENG',
  'KZ-MANYUE',
  'KZ-HANFENG-YINGBIN',
  'KZ-HANFENG-S001',
  'KZ-HANFENG-S002',
  'KZ-HANFENG-S003',
  'KZ-YUNFENG-YONGXIAN',
  'KZ-YUNFENG-S001',
  'KZ-YUNFENG-S002',
  'KZ-MANYUE-S001',
  'KZ-MANYUE-S002',
  'KZ-MANYUE-S003',
  'KZ-HANFENG-YINGBIN-GUOXUEYUAN',
]);

/** Teams of the demo profile besides branches and squads: the corps, four named direct teams. */
const DEMO_TEAM_CODES: ReadonlySet<string> = new Set(['T-CORPS', 'T-DIRECT-01', 'T-DIRECT-02', 'T-DIRECT-03', 'T-DIRECT-04']);

/**
 * A small subset of the Kaizhou records, taken from the full set (never regenerated), so every demo record
 * equals the Kaizhou record with the same code. Branches and squads follow their home units; lecture teams
 * are all kept.
 */
function demoDataset(): OrgDataset {
  const full = kaizhouDataset();
  return {
    units: full.units.filter((u) => DEMO_UNIT_CODES.has(u.code)),
    teams: full.teams.filter((t) => {
      switch (t.kind) {
        case 'CORPS':
        case 'DIRECT':
          return DEMO_TEAM_CODES.has(t.code);
        case 'LECTURE':
          return true;
        case 'BRANCH':
        case 'SQUAD':
          return DEMO_UNIT_CODES.has(t.homeUnitCode);
      }
    }),
  };
}

/** The organization seed data of a profile; each call returns fresh arrays with the same content. */
export function orgDataset(profile: SeedProfile): OrgDataset {
  switch (profile) {
    case 'demo':
      return demoDataset();
    case 'kaizhou':
      return kaizhouDataset();
  }
}
