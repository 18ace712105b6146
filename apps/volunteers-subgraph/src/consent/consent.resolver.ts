import { isBigintId } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { Person } from '../people/person.entity';
import type { ConsentRow } from './consent';

type Input = { input: unknown };

export const consentResolvers = {
  Mutation: {
    recordConsent: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.consents.record(args.input),
  },
  Person: {
    consents: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.consents.of(person),
  },
  Consent: {
    person: (consent: ConsentRow, _: unknown, ctx: VolunteersContext) => ctx.loaders.personById.load(consent.personId),
    recordedBy: (consent: ConsentRow, _: unknown, ctx: VolunteersContext) =>
      isBigintId(consent.recordedBy) ? ctx.loaders.personById.load(consent.recordedBy) : null,
  },
};
