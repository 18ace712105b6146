import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { createLoaders, VolunteersLoaders } from './loaders';
import { Identity, PersonService } from './people/person.service';
import { VolunteerService } from './volunteers/volunteer.service';

export interface VolunteersContext extends SubgraphContext {
  loaders: VolunteersLoaders;
  people: PersonService;
  volunteers: VolunteerService;
}

export function buildVolunteersContext(base: SubgraphContext, dataSource: DataSource, identity: Identity): VolunteersContext {
  const loaders = createLoaders(dataSource.manager);
  return {
    ...base,
    loaders,
    people: new PersonService(dataSource, base.actor, loaders, identity),
    volunteers: new VolunteerService(base.actor, loaders),
  };
}
