import { OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000 } from '@kz/db';
import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { CarePlan } from './care-plans/care-plan.entity';
import { carePlanResolvers } from './care-plans/care-plan.resolver';
import { buildOrdersContext, OrdersContext } from './context';
import { ordersInboxHandlers } from './inbox';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { SixOrders1764900000000 } from './migrations/1764900000000-six-orders';
import { DeliveryRounds1765170000000 } from './migrations/1765170000000-delivery-rounds';
import { OrderPhotos1767000000000 } from './migrations/1767000000000-order-photos';
import { OrderAssignee, OrderDelivery, OrderEvent, ServiceOrder } from './orders/order.entity';
import { orderResolvers } from './orders/order.resolver';
import { TimerIndexes1768000000001 } from './migrations/1768000000001-timer-indexes';
import { StaffDuty1768311000000 } from './migrations/1768311000000-staff-duty';
import { dueTimerResolvers } from './timers/due-timers';

export { upsertVolunteerRefs } from './replicas/volunteer-ref';
export type { VolunteerRef } from './replicas/volunteer-ref';
export { ORDER_TRANSITIONS, transitionTableMarkdown } from './orders/order-state-machine';

export const ordersEntities = [ServiceOrder, OrderAssignee, OrderDelivery, OrderEvent, CarePlan];
export const ordersMigrations = [Initial1764400000000, SixOrders1764900000000, DeliveryRounds1765170000000, OrderPhotos1767000000000, OutboxPublishedIndex1768000000000, TimerIndexes1768000000001, StaffDuty1768311000000, OutboxTraceparent1769500000000];

/** The orders subgraph: service orders and their six-order lifecycle, care plans, the demand ledger. */
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
      Query: { ...orderResolvers.Query, ...carePlanResolvers.Query, ...dueTimerResolvers.Query },
      Mutation: { ...orderResolvers.Mutation, ...carePlanResolvers.Mutation },
      ServiceOrder: orderResolvers.ServiceOrder,
      OrderDelivery: orderResolvers.OrderDelivery,
      CarePlan: carePlanResolvers.CarePlan,
      PracticeUnit: orderResolvers.PracticeUnit,
    },
    buildContext: (base, dataSource) => buildOrdersContext(base, dataSource, config),
    consumers: (dataSource) => [{ queue: 'orders-inbox', handlers: ordersInboxHandlers(dataSource, config) }],
    log: options.log,
  });
}
