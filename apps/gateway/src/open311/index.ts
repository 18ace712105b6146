import type { ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { Claims } from '@kz/auth';
import type { Config } from '@kz/config';
import { DomainError, Locale, NotFound, PayloadTooLarge, pickLocale, RateLimited } from '@kz/errors';
import { BodyTooLarge, ParsedRequest, readBody } from '@kz/http';
import { currentRequestScope, Logger } from '@kz/telemetry';
import { requestClientAddress } from '../client-address';
import type { GatewayContext } from '../context';
import type { RateLimiter } from '../rate-limit';
import { Open311Client, Open311Clients } from './clients';
import {
  clientFieldName,
  errorBody,
  FacadeOrder,
  matches,
  MAX_REQUESTS,
  open311Error,
  Open311Error,
  OPEN311_SERVICES,
  Params,
  param,
  paramsOf,
  placeInput,
  requestFilter,
  RequestFilter,
  ServiceRequest,
  serviceNotice,
  toServiceRequest,
} from './format';
import { findService } from './services';

export { Open311Clients, sha256Hex } from './clients';
export * from './format';
export { OPEN311_SERVICES, findService } from './services';

export const OPEN311_PREFIX = '/open311';
const V2 = `${OPEN311_PREFIX}/v2`;
/** When this facade's resources last changed (discovery.json's `changeset`). */
const CHANGESET = '2026-12-07T00:00:00+08:00';

/** The order fields the facade reads: nothing about the requester but the id of who placed it. */
const ORDER_FIELDS = `
  fragment Open311Order on ServiceOrder {
    id code category title description address location { lat lng } photos status createdAt updatedAt
    deadlines { deliverBy } station { name } placedBy { id } timeline { action note at }
  }`;
/** Only fields of the orders subgraph itself: once placed, nothing in the answer can fail and hide the new order's id. */
const PLACE = `mutation Open311Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id code } }`;
const ONE = `query Open311Request($id: ID!) { order(id: $id) { ...Open311Order } } ${ORDER_FIELDS}`;
const MINE = `query Open311Requests($first: Int!, $after: String) {
  myOrders(first: $first, after: $after) { edges { node { ...Open311Order } } pageInfo { hasNextPage endCursor } }
} ${ORDER_FIELDS}`;
const CLIENT_UNIT = `query Open311ClientUnit($code: String!, $after: String) {
  units(filter: { search: $code }, first: 100, after: $after) { edges { node { id code path } } pageInfo { hasNextPage endCursor } }
  center: units(filter: { level: CENTER }, first: 1) { edges { node { name } } }
}`;
const PAGE = 50;
const IDENTITY_TTL_MS = 5 * 60_000;

export interface Open311Options {
  log: Logger;
  apollo: ApolloServer<GatewayContext>;
  /** The gateway's per-caller limit: a facade request counts as one, per client (anonymous ones per client address, behind TRUSTED_PROXIES). */
  rateLimiter: Pick<RateLimiter, 'take'>;
}

/** What a client acts as in the graph, once its unit is known. */
interface Identity {
  client: Open311Client;
  claims: Claims;
  centerName: string;
}

type GraphResult = { data: Record<string, unknown> | null; errors: { message: string; extensions?: Record<string, unknown> }[] };

/**
 * Open311 GeoReport v2 on the gateway's port (`/open311/v2/*.json`, docs/api.md "Open311"): services are the order
 * categories; a client's api_key (`OPEN311_CLIENTS`) makes it staff of one unit, which places orders for residents
 * (assisted mode) and reads back the orders it placed. Every read and placement is an operation of the graph, run
 * here with the client's claims, so the orders subgraph's scopes, validation, timeline and events apply unchanged.
 */
export function createOpen311(config: Config, options: Open311Options): (request: ParsedRequest, res: ServerResponse) => Promise<void> {
  const { log, apollo, rateLimiter } = options;
  const clients = new Open311Clients(config.OPEN311_CLIENTS);
  /** Each client's unit, looked up again after `IDENTITY_TTL_MS` (a unit moved in the tree gets a new path). */
  const identities = new Map<string, { identity: Promise<Identity>; until: number }>();

  async function run(claims: Claims | null, locale: Locale, acceptLanguage: string | undefined, clientName: string, query: string, variables: Record<string, unknown>): Promise<GraphResult> {
    const context: GatewayContext = {
      claims,
      locale,
      requestId: currentRequestScope()?.requestId ?? 'open311',
      acceptLanguage: acceptLanguage ?? (locale === 'zh-CN' ? 'zh-CN' : 'en'),
      client: { name: `open311-${clientName}`, version: null },
    };
    const response = await apollo.executeOperation({ query, variables }, { contextValue: context });
    if (response.body.kind !== 'single') throw new Error('open311: unexpected incremental answer');
    const { data, errors } = response.body.singleResult;
    return { data: (data ?? null) as Record<string, unknown> | null, errors: (errors ?? []) as GraphResult['errors'] };
  }

  /** The client's claims: its role at its unit (looked up by code once, through the graph, as the client). */
  function identityOf(client: Open311Client, locale: Locale): Promise<Identity> {
    const cached = identities.get(client.name);
    if (cached && cached.until > Date.now()) return cached.identity;
    const identity = (async () => {
      const bare: Claims = { sub: client.sub, roles: [client.role] };
      // `search` matches codes that contain the text: page on until the exact code (an institute's code is in its stations').
      let after: string | null = null;
      for (;;) {
        const result = await run(bare, locale, undefined, client.name, CLIENT_UNIT, { code: client.unitCode, after });
        if (result.errors.length > 0) throw new Error(`open311: the unit of client ${client.name} could not be read: ${result.errors[0]!.message}`);
        const units = result.data!.units as { edges: { node: { id: string; code: string; path: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        const unit = units.edges.map((edge) => edge.node).find((node) => node.code === client.unitCode);
        if (unit) {
          const center = (result.data!.center as { edges: { node: { name: string } }[] }).edges[0]?.node.name ?? '';
          return { client, claims: { ...bare, unitId: unit.id, unitPath: unit.path }, centerName: center };
        }
        if (!units.pageInfo.hasNextPage || !units.pageInfo.endCursor) break;
        after = units.pageInfo.endCursor;
      }
      throw new Error(`open311: client ${client.name} names unit ${client.unitCode}, which does not exist`);
    })();
    identities.set(client.name, { identity, until: Date.now() + IDENTITY_TTL_MS });
    // A failure is not kept: the next request tries again (the unit may be created meanwhile).
    identity.catch(() => identities.delete(client.name));
    return identity;
  }

  /** A refusal of the graph in the spec's terms: the HTTP status for its code, the field named as the client sent it. */
  function graphError(first: GraphResult['errors'][number]): { status: number; description: string } {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    const status: Record<string, number> = { BAD_USER_INPUT: 400, FORBIDDEN: 403, UNAUTHENTICATED: 403, NOT_FOUND: 404, RATE_LIMITED: 429, SERVICE_UNAVAILABLE: 503 };
    const field = typeof first.extensions?.field === 'string' ? first.extensions.field : undefined;
    const renamed = field ? clientFieldName(field) : undefined;
    return { status: status[code] ?? 500, description: field && renamed ? first.message.replace(field, renamed) : first.message };
  }

  function send(res: ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  async function readParams(request: ParsedRequest): Promise<Params> {
    if (request.req.method !== 'POST') return paramsOf(request.url.searchParams);
    const raw = await readBody(request.req, config.MAX_BODY_BYTES);
    const type = (request.req.headers['content-type'] ?? '').toLowerCase();
    if (raw.trim() === '') return paramsOf(request.url.searchParams);
    if (type.includes('application/json')) {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'request.malformed', { detail: 'invalid JSON' }));
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'request.malformed', { detail: 'the JSON body must be an object' }));
      }
      return paramsOf(request.url.searchParams, body as Record<string, unknown>);
    }
    if (type.includes('application/x-www-form-urlencoded') || type === '') return paramsOf(request.url.searchParams, new URLSearchParams(raw));
    throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'request.malformed', { detail: 'send application/x-www-form-urlencoded or application/json' }));
  }

  /** The client of the api_key, counted against the rate limit; 403 without a known key, 429 over the limit. */
  async function authorize(params: Params, locale: Locale): Promise<Identity> {
    const client = clients.byKey(param(params, 'api_key'));
    if (!client) throw new Open311Error(403, new DomainError('FORBIDDEN', 'open311.apiKey'));
    await limit(`sub:${client.sub}`);
    return identityOf(client, locale);
  }

  async function limit(subject: string): Promise<void> {
    const rate = await rateLimiter.take(subject);
    if (!rate.allowed) throw new RateLimitedError(rate.limit, rate.retryAfterSeconds);
  }

  async function place(identity: Identity, params: Params, locale: Locale, acceptLanguage: string | undefined): Promise<{ status: number; body: unknown }> {
    const input = placeInput(params);
    const result = await run(identity.claims, locale, acceptLanguage, identity.client.name, PLACE, { input });
    const order = (result.data?.placeOrder ?? null) as Pick<FacadeOrder, 'id' | 'code'> | null;
    if (!order) {
      const { status, description } = graphError(result.errors[0] ?? { message: 'no order', extensions: {} });
      return { status, body: errorBody(status, description) };
    }
    log.info({ client: identity.client.name, orderId: order.id, code: order.code }, 'open311 request placed');
    return { status: 201, body: [{ service_request_id: order.id, service_notice: serviceNotice(order.code), account_id: null }] };
  }

  /** One order the client placed, or null (none, not visible, or placed by someone else: the same answer). */
  async function one(identity: Identity, id: string, locale: Locale, acceptLanguage: string | undefined): Promise<FacadeOrder | null> {
    if (!/^\d{1,19}$/.test(id)) return null;
    const result = await run(identity.claims, locale, acceptLanguage, identity.client.name, ONE, { id });
    if (result.errors.length > 0) {
      const { status, description } = graphError(result.errors[0]!);
      if (status === 400 || status === 403 || status === 404) return null;
      throw new GraphFailure(status, description);
    }
    const order = result.data!.order as FacadeOrder | null;
    return order && order.placedBy?.id === identity.claims.sub ? order : null;
  }

  async function list(identity: Identity, filter: RequestFilter, locale: Locale, acceptLanguage: string | undefined): Promise<ServiceRequest[]> {
    const out: ServiceRequest[] = [];
    if (filter.ids) {
      for (const id of filter.ids) {
        const order = await one(identity, id, locale, acceptLanguage);
        if (order) out.push(toServiceRequest(order, identity.centerName));
      }
      return out;
    }
    // The client's own orders, newest first: stop at the first one before the window, or at the cap.
    let after: string | null = null;
    for (;;) {
      const result = await run(identity.claims, locale, acceptLanguage, identity.client.name, MINE, { first: PAGE, after });
      if (result.errors.length > 0) {
        const { status, description } = graphError(result.errors[0]!);
        throw new GraphFailure(status, description);
      }
      const page = result.data!.myOrders as { edges: { node: FacadeOrder }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      for (const { node } of page.edges) {
        const createdAt = new Date(node.createdAt);
        if (createdAt.getTime() < filter.start.getTime()) return out;
        if (node.placedBy?.id !== identity.claims.sub) continue; // placed for the client's person by other means
        const request = toServiceRequest(node, identity.centerName);
        if (!matches(request, createdAt, filter)) continue;
        out.push(request);
        if (out.length >= MAX_REQUESTS) return out;
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return out;
      after = page.pageInfo.endCursor;
    }
  }

  function discovery(request: ParsedRequest): unknown {
    const host = request.req.headers.host ?? 'localhost';
    const origin = config.MEDIA_BASE_URL?.replace(/\/+$/, '') ?? `http://${host}`;
    return {
      changeset: CHANGESET,
      contact: '开州区新时代文明实践中心',
      key_service: 'api_key 由区新时代文明实践中心按客户端发放（OPEN311_CLIENTS）。',
      endpoints: [
        { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${origin}${V2}`, changeset: CHANGESET, type: 'production', formats: ['application/json'] },
      ],
    };
  }

  /** Routes one request; throws Open311Error for the spec's refusals. */
  async function route(request: ParsedRequest, res: ServerResponse, locale: Locale): Promise<void> {
    const { pathname } = request.url;
    const method = request.req.method ?? 'GET';
    const acceptLanguage = request.req.headers['accept-language'];
    const rest = pathname.startsWith(`${V2}/`) ? pathname.slice(V2.length + 1) : null;
    const allow = (allowed: string[]) => {
      if (allowed.includes(method)) return;
      res.setHeader('allow', allowed.join(', '));
      throw new Open311Error(405, new DomainError('BAD_USER_INPUT', 'open311.method', { method, allowed: allowed.join(', ') }));
    };
    if (pathname === `${OPEN311_PREFIX}/discovery.json` || rest === 'discovery.json') {
      allow(['GET']);
      await limit(`ip:${requestClientAddress(request.req, config.TRUSTED_PROXIES)}`);
      send(res, 200, discovery(request));
      return;
    }
    if (rest === 'services.json') {
      allow(['GET']);
      await limit(`ip:${requestClientAddress(request.req, config.TRUSTED_PROXIES)}`);
      send(res, 200, OPEN311_SERVICES);
      return;
    }
    const definition = rest ? /^services\/([^/]+)\.json$/.exec(rest) : null;
    if (definition) {
      allow(['GET']);
      await limit(`ip:${requestClientAddress(request.req, config.TRUSTED_PROXIES)}`);
      const code = decodeURIComponent(definition[1]!);
      if (!findService(code)) throw new Open311Error(404, new DomainError('NOT_FOUND', 'open311.unknownService', { field: 'service_code', code }));
      send(res, 200, { service_code: code, attributes: [] });
      return;
    }
    if (rest === 'requests.json') {
      allow(['GET', 'POST']);
      const params = await readParams(request);
      const identity = await authorize(params, locale);
      if (method === 'POST') {
        const placed = await place(identity, params, locale, acceptLanguage);
        send(res, placed.status, placed.body);
        return;
      }
      const filter = requestFilter(params, new Date());
      send(res, 200, await list(identity, filter, locale, acceptLanguage));
      return;
    }
    const single = rest ? /^requests\/([^/]+)\.json$/.exec(rest) : null;
    if (single) {
      allow(['GET']);
      const identity = await authorize(paramsOf(request.url.searchParams), locale);
      const id = decodeURIComponent(single[1]!);
      const order = await one(identity, id, locale, acceptLanguage);
      if (!order) throw new Open311Error(404, new NotFound('service request', id, '服务请求'));
      send(res, 200, [toServiceRequest(order, identity.centerName)]);
      return;
    }
    if (rest && /\.xml$/i.test(rest) && /^(discovery|services|requests)(\/[^/]+)?\.xml$/i.test(rest)) {
      throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'open311.format', { path: `${V2}/${rest.replace(/\.xml$/i, '')}` }));
    }
    throw new Open311Error(404, new DomainError('NOT_FOUND', 'open311.unknownPath', { path: pathname, discovery: `${V2}/discovery.json` }));
  }

  return async (request, res) => {
    const locale = pickLocale(request.req.headers['accept-language']);
    try {
      await route(request, res, locale);
    } catch (error) {
      if (error instanceof Open311Error) {
        send(res, error.status, open311Error(error, locale));
        return;
      }
      if (error instanceof RateLimitedError) {
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        send(res, 429, errorBody(429, new RateLimited(error.limit, error.retryAfterSeconds).localizedMessage(locale)));
        return;
      }
      if (error instanceof GraphFailure) {
        send(res, error.status, errorBody(error.status, error.description));
        return;
      }
      if (error instanceof BodyTooLarge) {
        request.req.resume();
        send(res, 413, errorBody(413, new PayloadTooLarge(config.MAX_BODY_BYTES).localizedMessage(locale)));
        return;
      }
      log.error({ err: error, path: request.url.pathname }, 'open311 request failed'); // not the query string: it may hold the api_key
      send(res, 500, errorBody(500, new DomainError('INTERNAL_SERVER_ERROR', 'internal').localizedMessage(locale)));
    }
  };
}

class RateLimitedError extends Error {
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super('rate limited');
  }
}

/** The graph refused a read for a reason that is not the client's (unavailable, internal). */
class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}
