import { PageArgs, readPage, toConnection } from '@kz/subgraph';
import type { OrgContext } from '../context';
import type { Team } from './team.entity';
import type { TeamFilter } from './team.service';

type Input = { input: unknown };

export const teamResolvers = {
  Query: {
    team: (_: unknown, args: { id: string }, ctx: OrgContext) => ctx.teams.get(args.id),
    teams: (_: unknown, args: PageArgs & { filter?: TeamFilter | null }, ctx: OrgContext) => ctx.teams.list(args.filter, args),
  },
  Mutation: {
    createTeam: (_: unknown, args: Input, ctx: OrgContext) => ctx.teams.create(args.input),
    updateTeam: (_: unknown, args: Input, ctx: OrgContext) => ctx.teams.update(args.input),
  },
  Team: {
    __resolveReference: (ref: { id: string }, ctx: OrgContext) => ctx.teams.get(ref.id),
    parentTeam: (team: Team, _: unknown, ctx: OrgContext) => (team.parentTeamId ? ctx.loaders.teamById.load(team.parentTeamId) : null),
    subTeams: async (team: Team, args: PageArgs, ctx: OrgContext) => {
      const page = readPage(args, 'team');
      const rows = await ctx.loaders.subTeams.load({ parentId: team.id, page });
      return toConnection(rows, page, 'team', (row) => row.id, () => ctx.loaders.subTeamCount.load(team.id));
    },
    homeUnit: (team: Team, _: unknown, ctx: OrgContext) => ctx.loaders.unitById.load(team.homeUnitId),
  },
};
