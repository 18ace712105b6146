import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { createLoaders, OrdersLoaders } from './loaders';
import { OrderService } from './orders/order.service';

export interface OrdersContext extends SubgraphContext {
  loaders: OrdersLoaders;
  orders: OrderService;
}

export function buildOrdersContext(base: SubgraphContext, dataSource: DataSource): OrdersContext {
  const loaders = createLoaders(dataSource.manager);
  return { ...base, loaders, orders: new OrderService(base.actor, loaders) };
}
