import type { EntityManager } from 'typeorm';
import { byIdLoader, childCountLoader, childPageLoader } from '@kz/subgraph';
import { ServiceOrder } from './orders/order.entity';

/** Every batched lookup of the orders subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    orderById: byIdLoader(manager, ServiceOrder),
    ordersByStation: childPageLoader(manager, ServiceOrder, { column: 'station_id', property: 'stationId' }),
    orderCountByStation: childCountLoader(manager, ServiceOrder, 'station_id'),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
