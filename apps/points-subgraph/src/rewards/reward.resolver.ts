/** Rewards and redemptions. Filled in by the rewards work. */
export const rewardResolvers = { Query: {}, Mutation: {}, Reward: {}, Redemption: {} };
