import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createJwtVerifier } from '@kz/auth';
import type { Config } from '@kz/config';
import { DomainError, pickLocale, RateLimited, Unauthenticated } from '@kz/errors';
import { appFile, createHttpApp, executeApollo, sendError } from '@kz/http';
import { createLogger, createMetrics, currentRequestScope, graphqlErrorsPlugin, Logger } from '@kz/telemetry';
import type { GatewayContext } from './context';
import { limitsPlugin } from './limits.plugin';
import { createRateLimiter } from './rate-limit';
import { SignedDataSource } from './signed-data-source';

export interface GatewayOptions {
  port?: number;
  /** Routing URLs by subgraph name, overriding the supergraph's (tests start subgraphs on random ports). */
  subgraphUrls?: Record<string, string>;
  log?: Logger;
}

export interface RunningGateway {
  url: string;
  log: Logger;
  stop(): Promise<void>;
}

/** Subgraph URL overrides from the environment, for containers where subgraphs are not on localhost. */
function urlsFromConfig(config: Config): Record<string, string> {
  const urls: Record<string, string | undefined> = {
    org: config.ORG_SUBGRAPH_URL,
    volunteers: config.VOLUNTEERS_SUBGRAPH_URL,
    orders: config.ORDERS_SUBGRAPH_URL,
    points: config.POINTS_SUBGRAPH_URL,
    notifications: config.NOTIFICATIONS_SUBGRAPH_URL,
  };
  return Object.fromEntries(Object.entries(urls).filter((entry): entry is [string, string] => !!entry[1]));
}

/** The gateway: one graph over the composed supergraph file, with authentication and query limits at the door. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<RunningGateway> {
  const log = options.log ?? createLogger('gateway', config.LOG_LEVEL);
  const metrics = createMetrics('gateway');
  const production = config.NODE_ENV === 'production';
  const verifyToken = createJwtVerifier(config);
  const urls = { ...urlsFromConfig(config), ...options.subgraphUrls };
  const rateLimiter = createRateLimiter({
    limit: config.GATEWAY_RATE_LIMIT_PER_MINUTE,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    log,
    registry: metrics.registry,
  });
  await rateLimiter.ready();

  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(appFile(__dirname, 'supergraph.graphql'), 'utf8'),
    buildService: ({ name, url }) => new SignedDataSource(urls[name] ?? url!, config.CLAIMS_SIGNING_SECRET),
    logger: log,
    // Planning is the gateway's costliest step per new operation; plans are kept in an LRU of this many MiB.
    experimental_approximateQueryPlanStoreMiB: config.GATEWAY_QUERY_PLAN_CACHE_MIB,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // runMain owns SIGTERM/SIGINT and stops everything in order
    plugins: [
      limitsPlugin({
        maxDepth: config.MAX_QUERY_DEPTH,
        maxCost: config.MAX_QUERY_COST,
        maxAliases: config.MAX_ALIASES,
        defaultListSize: config.DEFAULT_LIST_SIZE,
        listSizeHints: { 'UnitTree.nodes': 600 },
      }),
      ApolloServerPluginCacheControlDisabled(), // answers are per caller and never cached
      graphqlErrorsPlugin(metrics), // errors by extensions.code in /metrics, subgraphs' included
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
    stringifyResult: JSON.stringify, // compact JSON, not Apollo's indented default
  });
  await apollo.start();

  const http = createHttpApp({
    name: 'gateway',
    log,
    metrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    health: async () => ({ status: 'ok', checks: { supergraph: 'ok' } }),
    graphql: async (request, res) => {
      const acceptLanguage = request.req.headers['accept-language'];
      const locale = pickLocale(acceptLanguage);
      const authorization = request.req.headers.authorization;
      let claims = null;
      try {
        if (authorization) {
          const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
          if (!match) throw new Unauthenticated('invalidToken');
          claims = await verifyToken(match[1]!);
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        sendError(res, 401, error, locale);
        return;
      }
      if (Array.isArray(request.body)) {
        // No HTTP batching: one operation per request keeps the depth/cost/alias limits and the rate limit per operation.
        sendError(res, 400, new DomainError('BAD_USER_INPUT', 'request.batchRefused', { reason: 'batch' }), locale);
        return;
      }
      const rate = await rateLimiter.take(claims ? `sub:${claims.sub}` : `ip:${request.req.socket.remoteAddress ?? 'unknown'}`);
      if (!rate.allowed) {
        res.setHeader('retry-after', String(rate.retryAfterSeconds));
        sendError(res, 429, new RateLimited(rate.limit, rate.retryAfterSeconds), locale);
        return;
      }
      const requestId = currentRequestScope()!.requestId;
      const context: GatewayContext = { claims, locale, requestId, ...(acceptLanguage ? { acceptLanguage } : {}) };
      await executeApollo(apollo, request, res, async () => context, () => ({ 'x-request-id': requestId }));
    },
  });
  const baseUrl = await http.listen(options.port ?? config.GATEWAY_PORT, config.HOST);
  log.info({ url: `${baseUrl}/graphql` }, 'gateway ready');

  return {
    url: `${baseUrl}/graphql`,
    log,
    async stop() {
      await http.close();
      await apollo.stop();
      await rateLimiter.close();
      log.info('gateway stopped');
    },
  };
}
