import type { PageArgs } from '@kz/subgraph';
import type { OrdersContext } from '../context';
import type { CarePlan } from './care-plan.entity';

type Input = { input: unknown };
type Reference = { id: string };

/** Care plans and the demand ledger. Thin: the rules live in `CarePlanService` and `DemandLedgerService`. */
export const carePlanResolvers = {
  Query: {
    carePlan: (_: unknown, args: Reference, ctx: OrdersContext) => ctx.carePlans.get(args.id),
    carePlans: (_: unknown, args: PageArgs & { filter?: unknown }, ctx: OrdersContext) => ctx.carePlans.list(args.filter, args),
    demandLedger: (_: unknown, args: { unitId: string; from?: Date | null; to?: Date | null }, ctx: OrdersContext) => ctx.ledger.ledger(args),
  },
  Mutation: {
    createCarePlan: (_: unknown, args: Input, ctx: OrdersContext) => ctx.carePlans.create(args.input),
    updateCarePlan: (_: unknown, args: Input, ctx: OrdersContext) => ctx.carePlans.update(args.input),
    recordCarePlanVisit: (_: unknown, args: Input, ctx: OrdersContext) => ctx.carePlans.recordVisit(args.input),
    markVisitMissed: (_: unknown, args: Input, ctx: OrdersContext) => ctx.carePlans.markMissed(args.input),
  },
  CarePlan: {
    __resolveReference: (ref: Reference, ctx: OrdersContext) => ctx.carePlans.get(ref.id),
    beneficiary: (plan: CarePlan, _: unknown, ctx: OrdersContext) => ctx.carePlans.beneficiary(plan),
    location: (plan: CarePlan) => (plan.lat !== null && plan.lng !== null ? { lat: plan.lat, lng: plan.lng } : null),
    station: (plan: CarePlan) => ({ __typename: 'PracticeUnit', id: plan.stationId }),
    squad: (plan: CarePlan) => (plan.squadId ? { __typename: 'Team', id: plan.squadId } : null),
    volunteers: (plan: CarePlan, _: unknown, ctx: OrdersContext) => ctx.carePlans.volunteers(plan),
    visits: (plan: CarePlan, args: PageArgs, ctx: OrdersContext) => ctx.carePlans.visits(plan, args),
  },
};
