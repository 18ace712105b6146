import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { createLoaders, OrgLoaders } from './loaders';
import { SevenHavesService } from './seven-haves/seven-haves.service';
import { TeamService } from './teams/team.service';
import { UnitService } from './units/unit.service';

export interface OrgContext extends SubgraphContext {
  loaders: OrgLoaders;
  units: UnitService;
  teams: TeamService;
  sevenHaves: SevenHavesService;
}

export function buildOrgContext(base: SubgraphContext, dataSource: DataSource): OrgContext {
  const loaders = createLoaders(dataSource.manager);
  const units = new UnitService(dataSource, base.actor, loaders, base.eventsWritten);
  return {
    ...base,
    loaders,
    units,
    teams: new TeamService(dataSource, base.actor, loaders, units, base.eventsWritten),
    sevenHaves: new SevenHavesService(dataSource, base.actor, loaders, units, base.eventsWritten),
  };
}
