import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { Actor, Claims, Role } from '@kz/auth';
import { DomainError, Forbidden, Locale, NotFound } from '@kz/errors';
import { runInRequestScope } from '@kz/telemetry';
import type { GatewayContext } from '../context';

/** Staff who read the orders of their subtree, and roles that read every order (as the orders subgraph decides). */
const SCOPED_READERS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER', 'ANALYST'];
const READ_EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER', 'SERVICE'];

/** A refusal as graphql-ws sends it: the platform's code and params in `extensions`, the message in the caller's language. */
export function liveError(error: DomainError, locale: Locale): GraphQLError {
  return new GraphQLError(error.localizedMessage(locale), { extensions: { code: error.code, ...error.extensions } });
}

/** May this caller see an order event with this unit path, per event (the order can move out of a staff scope). */
export type OrderEventCheck = (unitPath: string | null) => boolean;

/**
 * Authorization of live subscriptions. At subscribe time the graph itself answers, as the caller, through this
 * gateway (`order(id)`: the orders subgraph's own rules for requesters, assignees and staff); for each event the
 * gateway checks the event's unit path against the caller's scope, without a call.
 */
export class LiveAccess {
  constructor(private readonly apollo: ApolloServer<GatewayContext>) {}

  /** Who may follow one order; FORBIDDEN where `order(id)` is null or refused. */
  async orderCheck(claims: Claims, locale: Locale, orderId: string): Promise<OrderEventCheck> {
    const data = await this.query<{ order: { id: string } | null }>(claims, locale, 'query LiveOrderAccess($id: ID!) { order(id: $id) { id } }', { id: orderId });
    // `order(id)` is null both for no such order and for one the caller may not read: FORBIDDEN either way, with no
    // hint of whether it exists (shared/ROLES.md).
    if (!data.order) throw new Forbidden();
    const actor = new Actor(claims);
    if (actor.hasRole(...READ_EVERYWHERE)) return () => true;
    // Staff follow it while it is in their subtree; its requester and assignees (parties of the order) for good.
    const scoped = actor.hasRole(...SCOPED_READERS);
    if (!scoped) return () => true;
    return (unitPath) => unitPath !== null && actor.inScope(unitPath, SCOPED_READERS);
  }

  /** The path of the board's unit, if the caller's scope covers it; FORBIDDEN otherwise (NOT_FOUND for no such unit). */
  async boardPath(claims: Claims, locale: Locale, unitId: string): Promise<string> {
    const actor = new Actor(claims);
    if (!actor.hasRole(...READ_EVERYWHERE, ...SCOPED_READERS)) throw new Forbidden();
    const data = await this.query<{ unit: { path: string } | null }>(claims, locale, 'query LiveBoardUnit($id: ID!) { unit(id: $id) { path } }', { id: unitId });
    if (!data.unit) {
      if (actor.hasRole(...READ_EVERYWHERE)) throw new NotFound('unit', unitId);
      throw new Forbidden(); // no hint of whether a unit outside the caller's scope exists
    }
    if (!actor.hasRole(...READ_EVERYWHERE) && !actor.inScope(data.unit.path, SCOPED_READERS)) throw new Forbidden();
    return data.unit.path;
  }

  private async query<T>(claims: Claims, locale: Locale, query: string, variables: Record<string, unknown>): Promise<T> {
    const requestId = randomUUID();
    const context: GatewayContext = { claims, locale, requestId, acceptLanguage: locale === 'zh-CN' ? 'zh-CN' : 'en', client: { name: 'gateway-live', version: null } };
    const response = await runInRequestScope(requestId, () => this.apollo.executeOperation({ query, variables }, { contextValue: context }));
    if (response.body.kind !== 'single') throw new Error('live access: unexpected incremental answer');
    const { data, errors } = response.body.singleResult;
    const first = errors?.[0];
    if (first) {
      const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
      throw new GraphQLError(first.message, { extensions: { code } });
    }
    return data as T;
  }
}

