import type { PointsContext } from '../context';
import type { PointsAccount } from './account.entity';

type Reference = { id: string };

/** Thin: arguments in, service call, shape out. */
export const accountResolvers = {
  Query: {
    pointsAccount: (_: unknown, args: { id: string }, ctx: PointsContext) => ctx.accounts.get(args.id),
  },
  PointsAccount: {
    __resolveReference: (ref: Reference, ctx: PointsContext) => ctx.accounts.get(ref.id),
    balance: (account: PointsAccount) => Number(account.balance),
    reserved: (account: PointsAccount) => Number(account.reserved),
    available: (account: PointsAccount) => Number(account.balance) - Number(account.reserved),
  },
  /** Fields this subgraph adds to the volunteers subgraph's entities. */
  Person: {
    pointsAccount: (person: Reference, _: unknown, ctx: PointsContext) => ctx.accounts.ofPerson(person.id),
  },
  Volunteer: {
    // `@requires(fields: "person { id }")`: the gateway fetches the person from the volunteers subgraph first.
    pointsAccount: (volunteer: Reference & { person: Reference }, _: unknown, ctx: PointsContext) =>
      ctx.accounts.ofPerson(volunteer.person.id),
  },
};
