import type { EntityManager } from 'typeorm';
import { createCarePlanLoaders } from './care-plans/care-plan.loaders';
import { orderStatsLoader } from './ledger/order-stats';
import { createOrderLoaders } from './orders/order.loaders';
import { photosByOrderLoader } from './orders/order-photos';

/** Every batched lookup of the orders subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    ...createOrderLoaders(manager),
    ...createCarePlanLoaders(manager),
    orderStats: orderStatsLoader(manager),
    photosByOrder: photosByOrderLoader(manager),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
