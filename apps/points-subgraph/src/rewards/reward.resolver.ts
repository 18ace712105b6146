import type { PageArgs } from '@kz/subgraph';
import type { PointsContext } from '../context';
import type { Redemption } from './redemption.entity';
import type { Reward, RewardAudit } from './reward.entity';
import type { RedemptionFilter, RewardFilter } from './reward.input';
import { isAvailable } from './reward-scope';

type Input = { input: unknown };
type Reference = { id: string };

/** A unit owned by the org subgraph, as a reference the gateway resolves there. */
const unitRef = (id: string | null) => (id ? { __typename: 'PracticeUnit', id } : null);

/** Thin: arguments in, service call, shape out. The rules live in `RewardService` and `RedemptionService`. */
export const rewardResolvers = {
  Query: {
    reward: (_: unknown, args: Reference, ctx: PointsContext) => ctx.rewards.get(args.id),
    rewards: (_: unknown, args: PageArgs & { filter?: RewardFilter | null }, ctx: PointsContext) => ctx.rewards.list(args.filter, args),
    redemption: (_: unknown, args: Reference, ctx: PointsContext) => ctx.redemptions.get(args.id),
    redemptions: (_: unknown, args: PageArgs & { filter?: RedemptionFilter | null }, ctx: PointsContext) =>
      ctx.redemptions.list(args.filter, args),
  },
  Mutation: {
    createReward: (_: unknown, args: Input, ctx: PointsContext) => ctx.rewards.create(args.input),
    updateReward: (_: unknown, args: Input, ctx: PointsContext) => ctx.rewards.update(args.input),
    restockReward: (_: unknown, args: Input, ctx: PointsContext) => ctx.rewards.restock(args.input),
    redeemReward: (_: unknown, args: Input, ctx: PointsContext) => ctx.redemptions.redeem(args.input),
    fulfilRedemption: (_: unknown, args: Input, ctx: PointsContext) => ctx.redemptions.fulfil(args.input),
    cancelRedemption: (_: unknown, args: Input, ctx: PointsContext) => ctx.redemptions.cancel(args.input),
  },
  Reward: {
    __resolveReference: (ref: Reference, ctx: PointsContext) => ctx.rewards.get(ref.id),
    station: (reward: Reward) => unitRef(reward.unitId),
    available: (reward: Reward) => isAvailable(reward),
    audit: async (reward: Reward, _: unknown, ctx: PointsContext) =>
      (await ctx.rewards.audit(reward)).map((entry: RewardAudit) => ({
        action: entry.action,
        stockDelta: entry.stockDelta,
        reason: entry.reason,
        changedBy: entry.changedBy,
        changedAt: entry.changedAt,
      })),
  },
  Redemption: {
    __resolveReference: (ref: Reference, ctx: PointsContext) => ctx.redemptions.get(ref.id),
    reward: (redemption: Redemption, _: unknown, ctx: PointsContext) => ctx.loaders.rewardById.load(redemption.rewardId),
    points: (redemption: Redemption) => Number(redemption.points),
    pickupCode: (redemption: Redemption, _: unknown, ctx: PointsContext) => ctx.redemptions.pickupCodeOf(redemption),
    station: (redemption: Redemption) => unitRef(redemption.stationId),
    person: (redemption: Redemption) => ({ __typename: 'Person', id: redemption.personId }),
  },
};
