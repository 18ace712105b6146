import type { Actor } from '@kz/auth';
import { isBigintId } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import type { Person } from './person.entity';

/** Reads of people. Only masked forms leave this subgraph for now; who may see clear data comes with identity. */
export class PersonService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
  ) {}

  async get(id: string): Promise<Person | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.personById.load(id) : null;
  }
}
