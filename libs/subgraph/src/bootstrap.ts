import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import type { Worker } from 'bullmq';
import { Counter } from 'prom-client';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { Actor, verifyClaims } from '@kz/auth';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { DomainError, pickLocale } from '@kz/errors';
import { closeWorkers, createEventWorker, EventHandlers, openQueueBackend, OutboxRelay, OutboxSweep, QueueName, Queues, ReconcileLoop } from '@kz/events';
import { createHttpApp, executeApollo, loadSchemaFile, runChecks, sendError } from '@kz/http';
import { createLogger, createMetrics, createReconcileMetrics, currentRequestScope, graphqlErrorsPlugin, Logger, registerScrapeGauge, startTracing } from '@kz/telemetry';
import type { SubgraphContext } from './context';
import { internalError, withErrorMapping } from './graphql-errors';

export interface SubgraphServiceOptions<TContext extends SubgraphContext> {
  /** Short service name: `org`, `volunteers`… */
  name: string;
  config: Config;
  port: number;
  database: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
  schemaFile: string;
  resolvers: GraphQLResolverMap<TContext>;
  /** Inbound queues this service consumes in-process (e.g. `volunteers-inbox`), with their handlers. */
  consumers?: (dataSource: DataSource, log: Logger) => { queue: QueueName; handlers: EventHandlers; concurrency?: number }[];
  /**
   * False for a subgraph that only reads (the analytics subgraph): its database has no outbox, so it runs no outbox
   * relay, no sweep and no backlog gauges. Default true.
   */
  writesEvents?: boolean;
  /** Adds the app's services and per-request DataLoaders to the base context. */
  buildContext(base: SubgraphContext, dataSource: DataSource): TContext;
  log?: Logger;
}

export interface RunningSubgraph {
  name: string;
  /** In-process consumers of the service's inbound queues. */
  consumers: Worker[];
  url: string;
  dataSource: DataSource;
  /** Undefined for a subgraph that writes no events (`writesEvents: false`). */
  relay: OutboxRelay | undefined;
  /** Re-sends published events whose jobs Redis lost (tests trigger it and wait for it); undefined as `relay`. */
  sweep: ReconcileLoop | undefined;
  log: Logger;
  /** The HTTP server (tests watch its connections). */
  server: Server;
  /** Statements sent to Postgres since start (tests use it to prove batching). */
  statements(): number;
  stop(): Promise<void>;
}

export const SQL_STATEMENTS_HEADER = 'x-sql-statements';

/**
 * Boots a subgraph: its database (created and migrated), its outbox relay, Apollo Server over the federated schema,
 * and the HTTP server with `/graphql`, `/health` (liveness), `/ready` (readiness: its database) and `/metrics`. Only requests signed by the gateway reach GraphQL.
 */
export async function startSubgraphService<TContext extends SubgraphContext>(
  options: SubgraphServiceOptions<TContext>,
): Promise<RunningSubgraph> {
  const { config, name } = options;
  const log = options.log ?? createLogger(`${name}-subgraph`, config.LOG_LEVEL);
  const tracing = startTracing(config, `${name}-subgraph`, { log }); // off unless OTEL_EXPORTER_OTLP_ENDPOINT (docs/operations.md)
  const metrics = createMetrics(`${name}-subgraph`);
  const production = config.NODE_ENV === 'production';

  const source = createServiceDataSource({
    config,
    database: options.database,
    entities: options.entities,
    migrations: options.migrations,
    log,
  });
  const dataSource = await openServiceDatabase(source, config);
  const backend = await openQueueBackend(config, { role: 'producer', log });
  const queues = new Queues(backend, config.QUEUE_PREFIX);
  const writesEvents = options.writesEvents ?? true;
  const relay = writesEvents
    ? new OutboxRelay({
        dataSource,
        queues,
        pollMs: config.OUTBOX_POLL_MS,
        batchSize: config.OUTBOX_BATCH_SIZE,
        log,
        live: { maxLen: config.LIVE_STREAM_MAXLEN },
      })
    : undefined;
  relay?.start();
  // Events until consumed: published events whose jobs Redis lost are sent again (see OutboxSweep).
  const sweep = writesEvents
    ? new ReconcileLoop({
        tasks: [
          new OutboxSweep({
            dataSource,
            queues,
            windowMs: config.OUTBOX_RESEND_WINDOW_MINUTES * 60_000,
            graceMs: config.OUTBOX_SWEEP_GRACE_SECONDS * 1000,
            batchSize: config.OUTBOX_BATCH_SIZE,
            log,
          }),
        ],
        connection: backend.redis,
        prefix: config.QUEUE_PREFIX,
        intervalMs: config.OUTBOX_SWEEP_SECONDS * 1000,
        lossCheckMs: backend.redis ? config.REDIS_LOSS_CHECK_SECONDS * 1000 : 0,
        metrics: createReconcileMetrics(metrics.registry),
        log,
      })
    : undefined;
  await sweep?.start();
  // On Redis the consumers get a connection of their own that waits for Redis (the backend opens it on first use).
  const consumers = (options.consumers?.(dataSource, log) ?? []).map(({ queue, handlers, concurrency }) =>
    createEventWorker({ queue, connection: backend, prefix: config.QUEUE_PREFIX, handlers, concurrency, log }),
  );

  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([
      {
        typeDefs: loadSchemaFile(options.schemaFile),
        resolvers: withErrorMapping(options.resolvers) as GraphQLResolverMap<unknown>,
      },
    ]),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // runMain owns SIGTERM/SIGINT and stops everything in order
    // No federated traces and no cache-control bookkeeping per field: answers are per caller and never cached.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      graphqlErrorsPlugin(metrics),
    ],
    stringifyResult: JSON.stringify, // compact JSON, not Apollo's indented default
    formatError: (formatted) => {
      const code = formatted.extensions?.code;
      if (code === 'INTERNAL_SERVER_ERROR' && !formatted.extensions?.requestId) {
        log.error({ error: formatted }, 'unexpected GraphQL error');
        return internalError('en', currentRequestScope()?.requestId).toJSON();
      }
      return formatted;
    },
  });
  await apollo.start();

  // Counters fed from the statement logger at scrape time: all statements, and those made serving requests.
  for (const [name, help, read] of [
    ['db_statements_total', 'SQL statements sent to Postgres', source.statements],
    ['db_request_statements_total', 'SQL statements sent to Postgres while serving API requests', source.requestStatements],
  ] as const) {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        const total = read();
        this.inc(total - reported);
        reported = total;
      },
    });
  }
  // The outbox backlog (events committed, not yet on their queues): grows while Redis is away, drains after.
  // One query serves both gauges of a scrape (prom-client collects them together).
  if (relay) {
    let backlogRead: ReturnType<OutboxRelay['backlog']> | undefined;
    const backlog = () =>
      (backlogRead ??= relay.backlog().finally(() => {
        backlogRead = undefined;
      }));
    const onBacklogError = (error: Error) => log.warn({ err: error.message }, 'cannot read the outbox backlog for /metrics');
    registerScrapeGauge(metrics.registry, {
      name: 'outbox_events_unpublished',
      help: 'domain events committed to the outbox and not yet published to their queues',
      read: async () => [{ value: (await backlog()).unpublished }],
      onError: onBacklogError,
    });
    registerScrapeGauge(metrics.registry, {
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'age of the oldest unpublished outbox event (0 when none)',
      read: async () => [{ value: (await backlog()).oldestSeconds }],
      onError: onBacklogError,
    });
  }
  const http = createHttpApp({
    name: `${name}-subgraph`,
    log,
    metrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    // Readiness: Postgres must answer (within 2 s). The queues being away delays events but does not stop the
    // subgraph serving (they wait in the outbox): reported, not fatal, so a Redis blip does not unready every subgraph.
    ready: () =>
      runChecks(
        {
          postgres: () => dataSource.query('SELECT 1').then(() => 'ok'),
          ...(backend.redis
            ? { redis: async () => (backend.redis!.status === 'ready' ? 'ok' : `not ready (${backend.redis!.status}); events wait in the outbox`) }
            : { queues: async () => backend.check(1000).then((check) => (check === 'ok' ? 'ok' : `${check}; events wait in the outbox`)) }),
        },
        { timeoutMs: 2_000, advisory: ['redis', 'queues'] },
      ),
    graphql: async (request, res) => {
      const locale = pickLocale(request.req.headers['accept-language']);
      if (request.req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const body = (request.body ?? {}) as { query?: unknown; variables?: Record<string, unknown> | null };
      let actor: Actor;
      try {
        const claims = verifyClaims(
          config.CLAIMS_SIGNING_SECRET,
          (header) => request.req.headers[header] as string | undefined,
          { query: typeof body.query === 'string' ? body.query : '', variables: body.variables ?? null },
          config.CLAIMS_MAX_AGE_SECONDS,
        );
        actor = new Actor(claims);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        log.warn({ remote: request.req.socket.remoteAddress }, 'refused a request without a valid gateway signature');
        sendError(res, 401, error, locale);
        return;
      }
      const scope = currentRequestScope()!;
      const base: SubgraphContext = {
        actor,
        locale,
        requestId: scope.requestId,
        log: log.child({ requestId: scope.requestId }),
        eventsWritten: () => relay?.nudge(),
      };
      const statementHeader = (): Record<string, string> =>
        production ? {} : { [SQL_STATEMENTS_HEADER]: String(scope.sqlStatements) };
      await executeApollo(apollo, request, res, async () => options.buildContext(base, dataSource), statementHeader);
    },
  });
  const baseUrl = await http.listen(options.port, config.HOST);
  log.info({ url: `${baseUrl}/graphql` }, `${name} subgraph ready`);

  return {
    name,
    url: `${baseUrl}/graphql`,
    dataSource,
    relay,
    sweep,
    consumers,
    log,
    server: http.server,
    statements: source.statements,
    async stop() {
      await http.close();
      await apollo.stop();
      await closeWorkers(consumers, backend, log);
      await sweep?.stop();
      await relay?.stop();
      await queues.close();
      await backend.close();
      await dataSource.destroy();
      await tracing.stop();
      log.info(`${name} subgraph stopped`);
    },
  };
}
