import type { VolunteersContext } from '../context';

export const accountClosureResolvers = {
  Mutation: {
    closeMyAccount: (_: unknown, args: { input: unknown }, ctx: VolunteersContext) => ctx.accountClosures.closeMine(args.input),
  },
};
