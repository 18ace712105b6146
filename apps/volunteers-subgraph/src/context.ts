import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { createLoaders, VolunteersLoaders } from './loaders';
import { PersonService } from './people/person.service';
import { VolunteerService } from './volunteers/volunteer.service';

export interface VolunteersContext extends SubgraphContext {
  loaders: VolunteersLoaders;
  people: PersonService;
  volunteers: VolunteerService;
}

export function buildVolunteersContext(base: SubgraphContext, dataSource: DataSource): VolunteersContext {
  const loaders = createLoaders(dataSource.manager);
  return {
    ...base,
    loaders,
    people: new PersonService(base.actor, loaders),
    volunteers: new VolunteerService(base.actor, loaders),
  };
}
