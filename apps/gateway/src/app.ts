import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createJwtVerifier } from '@kz/auth';
import type { Config } from '@kz/config';
import { DomainError, pickLocale, RateLimited, Unauthenticated } from '@kz/errors';
import { appFile, createHttpApp, executeApollo, sendError } from '@kz/http';
import { createLogger, createMetrics, currentRequestScope, graphqlErrorsPlugin, Logger, startTracing } from '@kz/telemetry';
import { openQueueBackend } from '@kz/events';
import type { Registry } from 'prom-client';
import type { GatewayContext } from './context';
import { requestClientAddress } from './client-address';
import { corsInterceptor, corsOrigins } from './cors';
import { contractErrorFormatter } from './error-codes';
import { limitsPlugin } from './limits.plugin';
import { startLive } from './live';
import { Media, startMedia } from './media';
import { createOpen311, OPEN311_PREFIX } from './open311';
import { knownOperationTypesRule, operationResolutionPlugin } from './operations';
import { operationMetrics } from './operation-metrics.plugin';
import { gatewayReadiness } from './readiness';
import { createRateLimiter, RateLimiter } from './rate-limit';
import { createStoreRateLimiter } from './rate-limit-store';
import { SignedDataSource } from './signed-data-source';
import { supergraphSource } from './supergraph';
import { cachingVerifier } from './token-cache';
import { startTrustedDocuments } from './trusted-documents';

export {
  documentHash,
  documentsMigrations,
  inUseManifests,
  ManifestError,
  openDocumentsDatabase,
  parseManifest,
  publishManifest,
  retireVersion,
  trustedDocumentsMode,
} from './trusted-documents';
export type { Manifest, PublishResult, TrustedDocumentsMode } from './trusted-documents';

export { CLIENT_ERROR_CODES } from './error-codes';
export { mediaMigrations } from './media';
export type { Media } from './media';

export interface GatewayOptions {
  port?: number;
  /** Routing URLs by subgraph name, overriding the supergraph's (tests start subgraphs on random ports). */
  subgraphUrls?: Record<string, string>;
  log?: Logger;
  /** How often the trusted-documents registry is checked besides its notifications (tests shorten it). */
  documentsRefreshMs?: number;
  /** The supergraph file (default: SUPERGRAPH_FILE, else the one beside the app); tests give one of their own. */
  supergraphFile?: string;
}

export interface RunningGateway {
  url: string;
  log: Logger;
  /** Photo uploads and their sweep (tests run the sweep themselves). */
  media: Media;
  stop(): Promise<void>;
}

/** Subgraph URL overrides from the environment, for containers where subgraphs are not on localhost. */
export function subgraphUrlsFromConfig(config: Config): Record<string, string> {
  const urls: Record<string, string | undefined> = {
    org: config.ORG_SUBGRAPH_URL,
    volunteers: config.VOLUNTEERS_SUBGRAPH_URL,
    orders: config.ORDERS_SUBGRAPH_URL,
    points: config.POINTS_SUBGRAPH_URL,
    notifications: config.NOTIFICATIONS_SUBGRAPH_URL,
    analytics: config.ANALYTICS_SUBGRAPH_URL,
  };
  return Object.fromEntries(Object.entries(urls).filter((entry): entry is [string, string] => !!entry[1]));
}

/** The gateway: one graph over the composed supergraph file, with authentication and query limits at the door. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<RunningGateway> {
  const log = options.log ?? createLogger('gateway', config.LOG_LEVEL);
  const tracing = startTracing(config, 'gateway', { log }); // off unless OTEL_EXPORTER_OTLP_ENDPOINT (docs/operations.md, "Traces")
  const metrics = createMetrics('gateway');
  const production = config.NODE_ENV === 'production';
  // Verified tokens are remembered until they expire (./token-cache.ts): a caller's next requests skip the check.
  const verifyToken = cachingVerifier(createJwtVerifier(config), { max: 10_000, clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS });
  const urls = { ...subgraphUrlsFromConfig(config), ...options.subgraphUrls };
  const trustedDocuments = await startTrustedDocuments(config, { log, registry: metrics.registry, refreshMs: options.documentsRefreshMs });
  const operations = operationMetrics(metrics.registry, trustedDocuments);
  const rateLimiter = await openRateLimiter(config, log, metrics.registry);
  await rateLimiter.ready();
  const media = await startMedia(config, { log, registry: metrics.registry, verifyToken, rateLimiter });

  // The supergraph, reloaded without a restart when its file (or SUPERGRAPH_POLL_URL) changes (./supergraph.ts).
  const supergraph = supergraphSource({
    file: options.supergraphFile ?? config.SUPERGRAPH_FILE ?? appFile(__dirname, 'supergraph.graphql'),
    pollUrl: config.SUPERGRAPH_POLL_URL,
    pollMs: config.SUPERGRAPH_POLL_SECONDS * 1000,
    log,
    registry: metrics.registry,
  });
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.manager,
    // Validate every supergraph taken, in production too: a reload that does not validate is refused.
    validateSupergraph: true,
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
    validationRules: [knownOperationTypesRule],
    formatError: contractErrorFormatter(log),
    // Automatic persisted queries off: each process kept its own cache, and any client could register any operation.
    // Documents by hash come from the trusted-documents registry instead (docs/api.md, "For front-end teams").
    persistedQueries: false,
    plugins: [
      operationResolutionPlugin(),
      limitsPlugin({
        maxDepth: config.MAX_QUERY_DEPTH,
        maxCost: config.MAX_QUERY_COST,
        maxAliases: config.MAX_ALIASES,
        defaultListSize: config.DEFAULT_LIST_SIZE,
        listSizeHints: { 'UnitTree.nodes': 600 },
      }),
      ApolloServerPluginCacheControlDisabled(), // answers are per caller and never cached
      graphqlErrorsPlugin(metrics), // errors by extensions.code in /metrics, subgraphs' included
      operations.plugin, // requests, errors and latency by operation and client in /metrics
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
    stringifyResult: JSON.stringify, // compact JSON, not Apollo's indented default
  });
  await apollo.start();

  const open311 = createOpen311(config, { log, apollo, rateLimiter });

  const origins = corsOrigins(config);
  const [graphqlCors, uploadsCors] = [corsInterceptor(origins), corsInterceptor(origins, '/uploads')];
  const http = createHttpApp({
    name: 'gateway',
    log,
    metrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    // browser pages of CORS_ORIGINS, on every answer of /graphql and of /uploads
    intercept: (req, res) => graphqlCors(req, res) ?? uploadsCors(req, res),
    // photos (docs/api.md, "Photos"); Open311 GeoReport v2 over the graph (docs/api.md, "Open311")
    mounts: { '/uploads': media.upload, '/media': media.serve, [OPEN311_PREFIX]: open311 },
    ready: gatewayReadiness({ supergraph, urls, trustedDocuments: () => trustedDocuments.health() }),
    graphql: async (request, res) => {
      // The caller's address behind trusted proxies (TRUSTED_PROXIES): its rate-limit bucket, and `client` in the logs.
      const address = requestClientAddress(request.req, config.TRUSTED_PROXIES);
      currentRequestScope()!.clientAddress = address;
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
      const rate = await rateLimiter.take(claims ? `sub:${claims.sub}` : `ip:${address}`);
      if (!rate.allowed) {
        log.debug({ subject: claims ? `sub:${claims.sub}` : 'address' }, 'rate limited'); // the line carries `client`
        res.setHeader('retry-after', String(rate.retryAfterSeconds));
        sendError(res, 429, new RateLimited(rate.limit, rate.retryAfterSeconds), locale);
        return;
      }
      const document = trustedDocuments.decide(request);
      if (!document.ok) {
        operations.refused(document.client);
        sendError(res, document.status, document.error, locale);
        return;
      }
      const requestId = currentRequestScope()!.requestId;
      const context: GatewayContext = {
        claims,
        locale,
        requestId,
        client: document.client,
        document: document.document,
        ...(acceptLanguage ? { acceptLanguage } : {}),
      };
      await executeApollo(apollo, document.request, res, async () => context, () => ({ 'x-request-id': requestId }));
    },
  });
  // Subscriptions over WebSocket on the same port and path (apps/gateway/src/live).
  const live = await startLive({
    server: http.server,
    config,
    apollo,
    trustedDocuments,
    verifyToken,
    apiSchemaFile: appFile(__dirname, 'schema.graphql'),
    origins,
    registry: metrics.registry,
    log,
  });
  const baseUrl = await http.listen(options.port ?? config.GATEWAY_PORT, config.HOST);
  log.info({ url: `${baseUrl}/graphql`, corsOrigins: origins.map((pattern) => pattern.text) }, 'gateway ready');

  return {
    url: `${baseUrl}/graphql`,
    log,
    media,
    async stop() {
      await live.stop();
      await http.close();
      await media.stop();
      await apollo.stop();
      await rateLimiter.close();
      await trustedDocuments.stop();
      await tracing.stop();
      log.info('gateway stopped');
    },
  };
}

/** The per-caller rate limit on Redis, or on the queue database when QUEUE_BACKEND=postgres. */
async function openRateLimiter(config: Config, log: Logger, registry: Registry): Promise<RateLimiter> {
  const limit = config.GATEWAY_RATE_LIMIT_PER_MINUTE;
  if (config.QUEUE_BACKEND !== 'postgres' || limit <= 0) {
    return createRateLimiter({ limit, redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log, registry });
  }
  const backend = await openQueueBackend(config, { role: 'producer', log });
  return createStoreRateLimiter({ limit, store: backend.store, prefix: config.QUEUE_PREFIX, log, registry, close: () => backend.close() });
}
