import type { PageArgs } from '@kz/subgraph';
import type { OrdersContext } from '../context';
import type { ServiceOrder } from './order.entity';

type Reference = { id: string };

/** Thin: arguments in, service call, shape out. */
export const orderResolvers = {
  Query: {
    order: (_: unknown, args: { id: string }, ctx: OrdersContext) => ctx.orders.get(args.id),
  },
  ServiceOrder: {
    __resolveReference: (ref: Reference, ctx: OrdersContext) => ctx.orders.get(ref.id),
    station: (order: ServiceOrder) => (order.stationId ? { __typename: 'PracticeUnit', id: order.stationId } : null),
  },
  /** Fields this subgraph adds to org's entities; they receive only the reference (`{ id }`). */
  PracticeUnit: {
    orders: (unit: Reference, args: PageArgs, ctx: OrdersContext) => ctx.orders.listByStation(unit.id, args),
  },
};
