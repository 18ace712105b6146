import type { PageArgs } from '@kz/subgraph';
import type { OrdersContext } from '../context';
import { isOverdue } from './deadlines';
import type { ServiceOrder } from './order.entity';
import { personRef, unitRef } from './order.service';

type Input = { input: unknown };
type Reference = { id: string };

/** Thin: arguments in, service call, shape out. The rules live in `OrderService`, `OrderMoves` and `OrderAccess`. */
export const orderResolvers = {
  Query: {
    order: (_: unknown, args: Reference, ctx: OrdersContext) => ctx.orders.get(args.id),
    orders: (_: unknown, args: PageArgs & { filter?: unknown }, ctx: OrdersContext) => ctx.orders.list(args.filter, args),
    myOrders: (_: unknown, args: PageArgs, ctx: OrdersContext) => ctx.orders.mine(args),
  },
  Mutation: {
    reportPatrolOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.reportPatrol(args.input),
    placeOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.place(args.input),
    dispatchOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.dispatch(args.input),
    acceptOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.accept(args.input),
    returnOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.return(args.input),
    assignVolunteers: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.assign(args.input),
    startService: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.start(args.input),
    deliverOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.deliver(args.input),
    evaluateOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.evaluate(args.input),
    cancelOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.cancel(args.input),
    addFollowUp: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.followUp(args.input),
    updateDemandLedger: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.updateLedger(args.input),
    escalateOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.escalate(args.input),
    closeOrder: (_: unknown, args: Input, ctx: OrdersContext) => ctx.moves.close(args.input),
  },
  ServiceOrder: {
    __resolveReference: (ref: Reference, ctx: OrdersContext) => ctx.orders.get(ref.id),
    location: (order: ServiceOrder) => (order.lat !== null && order.lng !== null ? { lat: order.lat, lng: order.lng } : null),
    requester: (order: ServiceOrder) => personRef(order.requesterPersonId),
    placedBy: (order: ServiceOrder) => personRef(order.placedByPersonId),
    beneficiary: (order: ServiceOrder, _: unknown, ctx: OrdersContext) => ctx.orders.beneficiary(order),
    station: (order: ServiceOrder) => unitRef(order.stationId),
    assignees: (order: ServiceOrder, _: unknown, ctx: OrdersContext) => ctx.orders.assignees(order),
    minutesByVolunteer: (order: ServiceOrder, _: unknown, ctx: OrdersContext) => ctx.orders.minutesByVolunteer(order),
    deliveries: (order: ServiceOrder, _: unknown, ctx: OrdersContext) => ctx.orders.deliveries(order),
    deadlines: (order: ServiceOrder) => ({ acceptBy: order.acceptBy, deliverBy: order.deliverBy, evaluateBy: order.evaluateBy }),
    overdue: (order: ServiceOrder) => isOverdue(order),
    evaluation: (order: ServiceOrder) =>
      order.rating !== null && order.resolved !== null && order.evaluatedAt !== null
        ? { rating: order.rating, resolved: order.resolved, comment: order.comment, evaluatedAt: order.evaluatedAt }
        : null,
    carePlan: (order: ServiceOrder, _: unknown, ctx: OrdersContext) => ctx.carePlans.ofOrder(order),
    timeline: (order: ServiceOrder, _: unknown, ctx: OrdersContext) => ctx.orders.timeline(order),
    // The order reached this resolver, so the caller may read it: the signed URLs are their read permission.
    photoList: async (order: ServiceOrder, _: unknown, ctx: OrdersContext) =>
      (await ctx.loaders.photosByOrder.load(order.id)).filter((photo) => photo.round === null).map((photo) => ctx.photos.view(photo)),
  },
  OrderDelivery: {
    photos: async (delivery: { orderId: string; round: number }, _: unknown, ctx: OrdersContext) =>
      (await ctx.loaders.photosByOrder.load(delivery.orderId)).filter((photo) => photo.round === delivery.round).map((photo) => ctx.photos.view(photo)),
  },
  /** Fields this subgraph adds to org's units; they receive only the reference (`{ id }`). */
  PracticeUnit: {
    orders: (unit: Reference, args: PageArgs, ctx: OrdersContext) => ctx.orders.listByUnit(unit.id, args),
    orderStats: (unit: Reference, args: { from?: Date | null; to?: Date | null }, ctx: OrdersContext) => ctx.stats.of(unit.id, args.from, args.to),
  },
};
