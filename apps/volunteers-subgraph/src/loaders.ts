import type { EntityManager } from 'typeorm';
import { byIdLoader } from '@kz/subgraph';
import { createActivityLoaders } from './activities/activity.loaders';
import { Person } from './people/person.entity';
import { createRecordLoaders } from './records/record.loaders';
import { photosByRecordLoader } from './records/record-photos';
import { createSuggestionLoaders } from './suggestions/suggestion.loaders';
import { Volunteer } from './volunteers/volunteer.entity';
import { createVolunteerLoaders } from './volunteers/volunteer.loaders';

/** Every batched lookup of the volunteers subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    personById: byIdLoader(manager, Person),
    volunteerById: byIdLoader(manager, Volunteer),
    ...createVolunteerLoaders(manager),
    ...createActivityLoaders(manager),
    ...createRecordLoaders(manager),
    ...createSuggestionLoaders(manager),
    photosByRecord: photosByRecordLoader(manager),
  };
}

export type VolunteersLoaders = ReturnType<typeof createLoaders>;
