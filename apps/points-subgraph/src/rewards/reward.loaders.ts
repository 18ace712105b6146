import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import { byIdLoader } from '@kz/subgraph';
import { Redemption } from './redemption.entity';
import { Reward, RewardAudit } from './reward.entity';

/** The batched lookups of rewards and redemptions, created fresh for each request with the other loaders. */
export function createRewardLoaders(manager: EntityManager) {
  return {
    rewardById: byIdLoader(manager, Reward),
    redemptionById: byIdLoader(manager, Redemption),
    /** Each reward's audit, oldest first: one statement for any number of rewards. */
    rewardAudit: new DataLoader<string, RewardAudit[]>(async (rewardIds) => {
      const rows = await manager.query('SELECT * FROM reward_audit WHERE reward_id = ANY($1::bigint[]) ORDER BY reward_id, id', [rewardIds]);
      const byReward = new Map<string, RewardAudit[]>();
      for (const entry of hydrate(manager, RewardAudit, rows)) {
        const rewardId = String(entry.rewardId);
        byReward.set(rewardId, [...(byReward.get(rewardId) ?? []), entry]);
      }
      return rewardIds.map((id) => byReward.get(id) ?? []);
    }),
  };
}

export type RewardLoaders = ReturnType<typeof createRewardLoaders>;
