import type { VolunteersContext } from '../context';
import { maskName } from './mask';
import type { Person } from './person.entity';

export const personResolvers = {
  Person: {
    __resolveReference: (ref: { id: string }, ctx: VolunteersContext) => ctx.people.get(ref.id),
    displayName: (person: Person) => maskName(person.realName),
  },
};
