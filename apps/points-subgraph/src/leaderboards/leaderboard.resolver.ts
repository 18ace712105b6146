import type { PageArgs } from '@kz/subgraph';
import type { PointsContext } from '../context';
import type { PointsLeaderboardEntry } from './leaderboard.service';

type Reference = { id: string };

/** Thin: arguments in, service call, shape out. The rules live in `LeaderboardService`. */
export const leaderboardResolvers = {
  PracticeUnit: {
    pointsLeaderboard: (unit: Reference, args: PageArgs & { period: string; on?: string | null }, ctx: PointsContext) =>
      ctx.leaderboards.points(unit.id, args.period, args),
  },
  PointsLeaderboardEntry: {
    // The volunteers subgraph says the name, masked or in clear by its own rules for the caller.
    holder: (entry: PointsLeaderboardEntry) => ({ __typename: 'RankedPerson', id: entry.personId }),
    person: (entry: PointsLeaderboardEntry) => (entry.showPerson ? { __typename: 'Person', id: entry.personId } : null),
    station: (entry: PointsLeaderboardEntry) => (entry.stationId ? { __typename: 'PracticeUnit', id: entry.stationId } : null),
  },
};
