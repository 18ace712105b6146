import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { DomainError, PayloadTooLarge, pickLocale } from '@kz/errors';
import { AppMetrics, currentRequestScope, Logger, runInRequestScope, tracingActive, withSpan } from '@kz/telemetry';
import { BodyTooLarge, MalformedBody, parseJsonBody, readBody } from './body';
import { sendError, sendJson } from './json-error';

export interface HealthReport {
  status: 'ok' | 'down';
  checks: Record<string, 'ok' | string>;
}

/** What a GraphQL handler receives: the raw request, its parsed body and the caller's language. */
export interface ParsedRequest {
  req: IncomingMessage;
  body: unknown;
  url: URL;
}

export type RequestHandler = (request: ParsedRequest, res: ServerResponse) => Promise<void>;

export interface HttpAppOptions {
  name: string;
  log: Logger;
  metrics: AppMetrics;
  maxBodyBytes: number;
  /**
   * Readiness, `GET /ready`: whether the app can serve now (its database, Redis; the gateway's subgraphs). 200 with
   * what was checked, or 503 naming what is not ready (`notReady`). Orchestrators stop sending traffic meanwhile.
   */
  ready: () => Promise<HealthReport>;
  /**
   * Liveness, `GET /health`: whether the process runs. Without this, 200 while the server answers at all; given,
   * only for what a restart would cure (a worker loop that stopped), never for a dependency being away.
   */
  live?: () => Promise<HealthReport>;
  /** Serves `/graphql` when given. */
  graphql?: RequestHandler;
  /** Extra GET routes (e.g. an ops page). */
  routes?: Record<string, RequestHandler>;
  /**
   * Paths served by a handler of their own, any method, body unread (the gateway's photo uploads, which stream it):
   * a request for the key or anything below it (`/media` takes `/media/<id>`), counted under the key.
   */
  mounts?: Record<string, RequestHandler>;
  /**
   * Runs first on every request, before any route: headers it sets stay on whatever answer is sent, errors
   * included, and it may answer the request itself (the gateway's CORS preflight), returning the route name the
   * request is counted under.
   */
  intercept?: (req: IncomingMessage, res: ServerResponse) => string | undefined;
}

export interface HttpApp {
  server: Server;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The one HTTP server every app uses: `/health` (liveness), `/ready` (readiness), `/metrics`, and `/graphql` with a
 * body-size limit. Apollo Server is plugged in through its documented integration API (`executeHTTPGraphQLRequest`),
 * which keeps the stack free of a web framework and gives us the size limit and request ids before GraphQL runs.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { log, metrics } = options;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const intercepted = options.intercept?.(req, res);
    if (intercepted !== undefined) return intercepted;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health' && req.method === 'GET') {
      const report = options.live
        ? await options.live().catch((error: Error): HealthReport => ({ status: 'down', checks: { live: error.message } }))
        : { status: 'ok' as const, checks: {} };
      sendJson(res, report.status === 'ok' ? 200 : 503, { service: options.name, ...report });
      return 'health';
    }
    if (url.pathname === '/ready' && req.method === 'GET') {
      const report = await options.ready().catch((error: Error): HealthReport => ({ status: 'down', checks: { ready: error.message } }));
      sendJson(res, report.status === 'ok' ? 200 : 503, readinessBody(options.name, report));
      return 'ready';
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(body);
      return 'metrics';
    }
    const extra = req.method === 'GET' ? options.routes?.[url.pathname] : undefined;
    if (extra) {
      await extra({ req, body: undefined, url }, res);
      return url.pathname;
    }
    const mount = Object.keys(options.mounts ?? {}).find((key) => url.pathname === key || url.pathname.startsWith(`${key}/`));
    if (mount) {
      await options.mounts![mount]!({ req, body: undefined, url }, res);
      return mount;
    }
    if (url.pathname === '/graphql' && options.graphql) {
      const locale = pickLocale(req.headers['accept-language']);
      let body: unknown;
      try {
        body = req.method === 'POST' ? parseJsonBody(await readBody(req, options.maxBodyBytes), req.headers['content-type']) : undefined;
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendError(res, 413, new PayloadTooLarge(options.maxBodyBytes), locale);
          req.resume(); // drain what the client still sends, then let it close
          return 'graphql';
        }
        if (error instanceof MalformedBody) {
          sendError(res, 400, new DomainError('BAD_USER_INPUT', 'request.malformed', { detail: 'invalid JSON' }), locale);
          return 'graphql';
        }
        throw error;
      }
      // With tracing on, the request's server span (child of the caller's `traceparent`): the gateway's planning and
      // fetches, a subgraph's resolvers and SQL, and the events they record all hang below it.
      if (!tracingActive()) {
        await options.graphql({ req, body, url }, res);
        return 'graphql';
      }
      const operation = operationLabel(body);
      await withSpan(
        `graphql ${operation ?? 'anonymous'}`,
        {
          kind: 'server',
          traceparent: headerValue(req.headers.traceparent),
          attributes: { 'kz.app': options.name, 'http.request.method': req.method, 'url.path': url.pathname, 'graphql.operation.name': operation },
        },
        async (span) => {
          await options.graphql!({ req, body, url }, res);
          span.set('http.response.status_code', res.statusCode);
        },
      );
      return 'graphql';
    }
    sendJson(res, 404, { error: 'not found' });
    return 'not_found';
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = headerValue(req.headers[REQUEST_ID_HEADER]);
    runInRequestScope(requestId, () => {
      // Every answer names its request, refusals before GraphQL (401, 413, 429) as much as GraphQL's own.
      res.setHeader(REQUEST_ID_HEADER, currentRequestScope()!.requestId);
      return route(req, res)
        .catch((error: Error) => {
          log.error({ err: error, url: req.url }, 'request failed');
          if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
          else res.end();
          return 'error';
        })
        .then((routeName) => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.httpRequests.inc({ route: routeName, status: String(res.statusCode) });
          metrics.httpDuration.observe({ route: routeName }, seconds);
        });
    });
  });
  // Keep connections from the gateway (and load balancers) open between requests.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    async listen(port, host) {
      server.listen(port, host);
      await once(server, 'listening');
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shownHost}:${address.port}`;
    },
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearTimeout(force);
    },
  };
}

/** The JSON of `/ready` (and of the ops dashboard's): a 503 names the checks that are not `ok` in `notReady`. */
export function readinessBody(service: string, report: HealthReport): Record<string, unknown> {
  if (report.status === 'ok') return { service, ...report };
  return { service, ...report, notReady: Object.keys(report.checks).filter((name) => report.checks[name] !== 'ok') };
}

/**
 * What a trace calls a GraphQL request: its `operationName`, else the name in its document, else its type and first
 * root field (`mutation placeOrder`): the gateway's generated subgraph operations and workers' calls are often
 * anonymous. Only the document's head is looked at.
 */
function operationLabel(body: unknown): string | undefined {
  const { operationName, query } = (body ?? {}) as { operationName?: unknown; query?: unknown };
  if (typeof operationName === 'string' && operationName) return operationName;
  if (typeof query !== 'string') return undefined;
  const head = query.slice(0, 512);
  const named = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z]\w*)/.exec(head);
  if (named) return named[1];
  const anonymous = /^\s*(query|mutation|subscription)?[^{]*\{\s*(?:[_A-Za-z]\w*\s*:\s*)?([_A-Za-z]\w*)/.exec(head);
  return anonymous ? `${anonymous[1] ?? 'query'} ${anonymous[2]}` : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  return single && /^[A-Za-z0-9._:-]{1,128}$/.test(single) ? single : undefined;
}
