import type { EntityManager } from 'typeorm';
import { createAccountLoaders } from './accounts/account.loaders';
import { createRewardLoaders } from './rewards/reward.loaders';

/** Every batched lookup of the points subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    ...createAccountLoaders(manager),
    ...createRewardLoaders(manager),
  };
}

export type PointsLoaders = ReturnType<typeof createLoaders>;
