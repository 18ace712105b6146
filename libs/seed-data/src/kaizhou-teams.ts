import { CENTER, CORPS_NAME, DIRECT_TEAM_SPECIALTIES, INSTITUTES, LECTURE_THEMES } from './kaizhou-names';
import { instituteCode } from './kaizhou-units';
import type { SeedTeam, SeedUnit } from './types';

export const CORPS_CODE = 'T-CORPS';

export const directTeamCode = (index: number): string => `T-DIRECT-${String(index + 1).padStart(2, '0')}`;
export const lectureTeamCode = (index: number): string => `T-LECTURE-${index + 1}`;
/** The branch (分队) of an institute, keyed by its street/town key, e.g. `T-BRANCH-HANFENG`. */
export const branchTeamCode = (instituteKey: string): string => `T-BRANCH-${instituteKey}`;
/** The squad (小队) of a station, keyed by the station code, e.g. `T-SQUAD-KZ-HANFENG-YINGBIN`. */
export const squadTeamCode = (stationCode: string): string => `T-SQUAD-${stationCode}`;

/** The place part of a station name, e.g. `迎宾社区新时代文明实践站` → `迎宾社区`. */
const stationPlace = (station: SeedUnit): string => station.name.replace(/新时代文明实践站$/, '');

/**
 * The volunteer force: the corps, its 17 direct teams and 6 lecture teams, one branch per institute and one
 * squad per station. Parents precede children.
 */
export function kaizhouTeams(units: readonly SeedUnit[]): SeedTeam[] {
  const corps: SeedTeam = { code: CORPS_CODE, name: CORPS_NAME, kind: 'CORPS', specialty: null, parentCode: null, homeUnitCode: CENTER.code };
  const direct = DIRECT_TEAM_SPECIALTIES.map(
    (specialty, i): SeedTeam => ({
      code: directTeamCode(i),
      name: `“${specialty}”志愿服务队`,
      kind: 'DIRECT',
      specialty,
      parentCode: CORPS_CODE,
      homeUnitCode: CENTER.code,
    }),
  );
  const lecture = LECTURE_THEMES.map(
    (theme, i): SeedTeam => ({
      code: lectureTeamCode(i),
      name: `“${theme}”宣讲队`,
      kind: 'LECTURE',
      specialty: theme,
      parentCode: CORPS_CODE,
      homeUnitCode: CENTER.code,
    }),
  );
  const branchByInstitute = new Map<string, string>();
  const branches = INSTITUTES.map((spec): SeedTeam => {
    const code = branchTeamCode(spec.key);
    branchByInstitute.set(instituteCode(spec.key), code);
    return { code, name: `${spec.place}志愿服务分队`, kind: 'BRANCH', specialty: null, parentCode: CORPS_CODE, homeUnitCode: instituteCode(spec.key) };
  });
  const squads = units
    .filter((u) => u.level === 'STATION')
    .map((station): SeedTeam => {
      const branch = station.parentCode === null ? undefined : branchByInstitute.get(station.parentCode);
      if (!branch) throw new Error(`station ${station.code} has no branch`);
      return {
        code: squadTeamCode(station.code),
        name: `${stationPlace(station)}志愿服务小队`,
        kind: 'SQUAD',
        specialty: null,
        parentCode: branch,
        homeUnitCode: station.code,
      };
    });
  return [corps, ...direct, ...lecture, ...branches, ...squads];
}
