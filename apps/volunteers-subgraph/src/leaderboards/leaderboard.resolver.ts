import type { PageArgs } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import { hoursOf } from '../volunteers/volunteer.service';
import type { HoursLeaderboardEntry, LeaderboardPeriod } from './leaderboard.service';

type Reference = { id: string };

/** Thin: arguments in, service call, shape out. The rules live in `LeaderboardService`. */
export const leaderboardResolvers = {
  Mutation: {
    setPublicRanking: (_: unknown, args: { input: unknown }, ctx: VolunteersContext) => ctx.leaderboards.setPublicRanking(args.input),
  },
  PracticeUnit: {
    hoursLeaderboard: (unit: Reference, args: PageArgs & { period: LeaderboardPeriod; on?: string | null }, ctx: VolunteersContext) =>
      ctx.leaderboards.hours(unit.id, args.period, args),
  },
  RankedPerson: {
    __resolveReference: async (ref: Reference, ctx: VolunteersContext) => {
      const person = await ctx.people.reference(ref.id);
      return person ? { id: person.id, displayName: ctx.people.realName(person) } : null;
    },
  },
  HoursLeaderboardEntry: {
    volunteer: (entry: HoursLeaderboardEntry, _: unknown, ctx: VolunteersContext) =>
      entry.showVolunteer ? ctx.loaders.volunteerById.load(entry.volunteerId) : null,
    homeStation: (entry: HoursLeaderboardEntry) => (entry.homeStationId ? { __typename: 'PracticeUnit', id: entry.homeStationId } : null),
    hours: (entry: HoursLeaderboardEntry) => hoursOf(entry.minutes),
  },
};
