import type { EntityManager } from 'typeorm';
import DataLoader from 'dataloader';
import { hydrate } from '@kz/db';
import { byIdLoader, childCountLoader, childPageLoader } from '@kz/subgraph';
import { SevenHavesCheck } from './seven-haves/seven-haves';
import { Team } from './teams/team.entity';
import { PracticeUnit } from './units/unit.entity';

/** Every batched lookup of the org subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    unitById: byIdLoader(manager, PracticeUnit),
    unitChildren: childPageLoader(manager, PracticeUnit, { column: 'parent_id', property: 'parentId' }),
    unitChildCount: childCountLoader(manager, PracticeUnit, 'parent_id'),
    sevenHaves: new DataLoader<string, SevenHavesCheck[]>(async (unitIds) => {
      const raw = await manager.query('SELECT * FROM seven_haves_check WHERE unit_id = ANY($1::bigint[])', [unitIds]);
      const rows = hydrate(manager, SevenHavesCheck, raw);
      return unitIds.map((id) => rows.filter((row) => row.unitId === id));
    }),
    teamById: byIdLoader(manager, Team),
    teamsByHomeUnit: childPageLoader(manager, Team, { column: 'home_unit_id', property: 'homeUnitId' }),
    teamCountByHomeUnit: childCountLoader(manager, Team, 'home_unit_id'),
    subTeams: childPageLoader(manager, Team, { column: 'parent_team_id', property: 'parentTeamId' }),
    subTeamCount: childCountLoader(manager, Team, 'parent_team_id'),
  };
}

export type OrgLoaders = ReturnType<typeof createLoaders>;
