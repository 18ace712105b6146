import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { buildOrdersContext, OrdersContext } from './context';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { ServiceOrder } from './orders/order.entity';
import { orderResolvers } from './orders/order.resolver';

export const ordersEntities = [ServiceOrder];
export const ordersMigrations = [Initial1764400000000];

/** The orders subgraph: service orders and their six-order lifecycle. */
export function startOrdersSubgraph(config: Config, options: { port?: number; log?: Logger } = {}): Promise<RunningSubgraph> {
  return startSubgraphService<OrdersContext>({
    name: 'orders',
    config,
    port: options.port ?? config.ORDERS_PORT,
    database: config.ORDERS_DATABASE,
    entities: ordersEntities,
    migrations: ordersMigrations,
    schemaFile: appFile(__dirname, 'schema.graphql'),
    resolvers: {
      DateTime: DateTimeScalar,
      Query: { ...orderResolvers.Query },
      ServiceOrder: orderResolvers.ServiceOrder,
      PracticeUnit: orderResolvers.PracticeUnit,
    },
    buildContext: buildOrdersContext,
    log: options.log,
  });
}
