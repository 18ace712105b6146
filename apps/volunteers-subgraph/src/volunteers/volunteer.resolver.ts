import type { PageArgs } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { Volunteer } from './volunteer.entity';

type Reference = { id: string };

/** Thin: arguments in, service call, shape out. */
export const volunteerResolvers = {
  Query: {
    volunteer: (_: unknown, args: { id: string }, ctx: VolunteersContext) => ctx.volunteers.get(args.id),
  },
  Mutation: {},
  Volunteer: {
    __resolveReference: (ref: Reference, ctx: VolunteersContext) => ctx.volunteers.get(ref.id),
    person: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.loaders.personById.load(volunteer.personId),
    homeStation: (volunteer: Volunteer) => (volunteer.homeStationId ? { __typename: 'PracticeUnit', id: volunteer.homeStationId } : null),
  },
  /** Fields this subgraph adds to org's entities; they receive only the reference (`{ id }`). */
  PracticeUnit: {
    volunteers: (unit: Reference, args: PageArgs, ctx: VolunteersContext) => ctx.volunteers.listByHomeStation(unit.id, args),
  },
  Team: {
    members: (team: Reference, args: PageArgs, ctx: VolunteersContext) => ctx.volunteers.listByTeam(team.id, args),
  },
};
