import type { PageArgs } from '@kz/subgraph';
import type { PointsContext } from '../context';
import type { PointsAccount } from './account.entity';
import type { Holder } from './account.service';
import type { StatementFilter } from './account.input';
import type { TransactionView } from './account.loaders';
import type { MovementResult } from './transfer.service';

type Reference = { id: string };
type Input = { input: unknown };

/** An account's figure, shown only to those who may see the account's balances. */
const figure = (read: (account: PointsAccount) => string | number) => (account: PointsAccount, _: unknown, ctx: PointsContext) => {
  ctx.accounts.requireBalances(account);
  return Number(read(account));
};

const shown = (ctx: PointsContext) => (result: MovementResult) => ctx.accounts.transactionOn(result.transactionId, result.accountId);

/** Thin: arguments in, service call, shape out. The rules live in the services. */
export const accountResolvers = {
  Query: {
    pointsAccount: (_: unknown, args: { id: string }, ctx: PointsContext) => ctx.accounts.get(args.id),
    myAccount: (_: unknown, __: unknown, ctx: PointsContext) => ctx.accounts.mine(),
  },
  Mutation: {
    transferPoints: (_: unknown, args: Input, ctx: PointsContext) => ctx.transfers.transfer(args.input).then(shown(ctx)),
    adjustPoints: (_: unknown, args: Input, ctx: PointsContext) => ctx.corrections.adjust(args.input).then(shown(ctx)),
    reverseTransaction: (_: unknown, args: Input, ctx: PointsContext) => ctx.corrections.reverse(args.input).then(shown(ctx)),
  },
  PointsAccount: {
    __resolveReference: (ref: Reference, ctx: PointsContext) => ctx.accounts.reference(ref.id),
    balance: figure((account) => account.balance),
    reserved: figure((account) => account.reserved),
    available: figure((account) => Number(account.balance) - Number(account.reserved)),
    lifetimeEarned: figure((account) => account.lifetimeEarned),
    lifetimeSpent: figure((account) => account.lifetimeSpent),
    holder: (account: PointsAccount) => (account.personId ? { __typename: 'Person', id: account.personId } : null),
    station: (account: PointsAccount) => (account.kind === 'POOL' && account.unitId ? { __typename: 'PracticeUnit', id: account.unitId } : null),
    transactions: (account: PointsAccount, args: PageArgs & { filter?: StatementFilter | null }, ctx: PointsContext) =>
      ctx.accounts.statement(account, args.filter, args),
  },
  PointsTransaction: {
    __resolveReference: (ref: Reference, ctx: PointsContext) => ctx.accounts.transaction(ref.id),
    counterparty: (tx: TransactionView, _: unknown, ctx: PointsContext) => (tx.counterpartyId ? ctx.accounts.reference(tx.counterpartyId) : null),
    serviceRecord: (tx: TransactionView) => (tx.serviceRecordId ? { __typename: 'ServiceRecord', id: tx.serviceRecordId } : null),
    reverses: (tx: TransactionView, _: unknown, ctx: PointsContext) => (tx.reversesId ? ctx.accounts.transactionOn(tx.reversesId, tx.accountId) : null),
  },
  /** Fields this subgraph adds to the volunteers subgraph's entities. */
  Person: {
    // `@requires(fields: "homeUnit { id }")`: the gateway fetches the home unit from the volunteers subgraph first.
    pointsAccount: (person: Holder, _: unknown, ctx: PointsContext) => ctx.accounts.ofPerson(person),
  },
  Volunteer: {
    // `@requires(fields: "person { id homeUnit { id } }")`: the same, through the volunteer's person.
    pointsAccount: (volunteer: Reference & { person: Holder }, _: unknown, ctx: PointsContext) => ctx.accounts.ofPerson(volunteer.person),
  },
  /** Fields this subgraph adds to the org subgraph's units. */
  PracticeUnit: {
    pointsStats: (unit: Reference, _: unknown, ctx: PointsContext) => ctx.accounts.stats(unit.id),
    pointsPool: (unit: Reference, _: unknown, ctx: PointsContext) => ctx.accounts.pool(unit.id),
  },
};
