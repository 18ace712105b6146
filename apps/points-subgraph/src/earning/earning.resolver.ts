import type { PointsContext } from '../context';

type Input = { input: unknown };

/** Thin: arguments in, service call, shape out. The rules live in `EarningService`. */
export const earningResolvers = {
  Query: {
    earningRules: (_: unknown, __: unknown, ctx: PointsContext) => ctx.earning.rulesInForce(),
  },
  Mutation: {
    setEarningRule: (_: unknown, args: Input, ctx: PointsContext) => ctx.earning.setRule(args.input),
  },
};
