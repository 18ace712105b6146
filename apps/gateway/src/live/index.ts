import type { IncomingMessage, Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { ApolloServer } from '@apollo/server';
import { buildSchema, ExecutionArgs, getOperationAST, GraphQLError, GraphQLSchema, parse, subscribe, validate, DocumentNode, ExecutionResult } from 'graphql';
import { CloseCode, makeServer } from 'graphql-ws';
import { decodeJwt } from 'jose';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WebSocket, WebSocketServer } from 'ws';
import { Claims, JwtVerifier, pathWithin } from '@kz/auth';
import { Config, originAllowed, OriginPattern } from '@kz/config';
import { BadUserInput, DomainError, Forbidden, Locale, pickLocale, Unauthenticated } from '@kz/errors';
import type { LiveTopic } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import type { GatewayContext } from '../context';
import type { TrustedDocuments } from '../trusted-documents';
import { LiveAccess, liveError, OrderEventCheck } from './access';
import { historicOrderEvent, NotificationChange, notificationChange, OrderChange, orderChange, OrderEvent, OrderMemory, resync } from './changes';
import { PushQueue } from './push-queue';
import { LiveHub, PostgresStreamHub } from './pg-stream-hub';
import { compareCursors, isCursor, LiveEntry, StreamHub } from './stream-hub';

/** The WebSocket close codes of the live endpoint besides graphql-ws's own (4400 bad message, 4403, 4408, 4409…). */
export const LIVE_CLOSE = {
  /** No token, a bad one, or it expired while the socket was open: sign in again and reconnect with the new token. */
  unauthenticated: 4401,
  /** The caller already holds LIVE_SOCKETS_PER_CALLER sockets. */
  tooManySockets: 4429,
  /** The gateway is shutting down: reconnect (to another process) and resume with `after`. */
  goingAway: 1001,
} as const;

export interface LiveOptions {
  server: Server;
  config: Config;
  apollo: ApolloServer<GatewayContext>;
  trustedDocuments: TrustedDocuments;
  verifyToken: JwtVerifier;
  /** The API schema file (`schema.graphql`, with the `Subscription` type that `npm run compose` adds). */
  apiSchemaFile: string;
  origins: OriginPattern[];
  registry: Registry;
  log: Logger;
}

export interface RunningLive {
  stop(): Promise<void>;
}

interface SocketState {
  claims: Claims;
  locale: Locale;
  expiry: NodeJS.Timeout | undefined;
}

interface LiveContext {
  claims: Claims;
  locale: Locale;
}

type SubscriptionField = 'notificationAdded' | 'orderChanged' | 'orderBoardChanged';

/** `setTimeout` takes at most a 32-bit delay; a token valid for longer is checked again when that timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function tokenFrom(params: Record<string, unknown> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  if (typeof value !== 'string') return null;
  return /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(value)?.[1] ?? null;
}

/**
 * The live part of the gateway: graphql-ws on the gateway's HTTP server at `/graphql`, auth in `onConnect` (the token
 * of `connection_init`), trusted documents, limits and scope in `onSubscribe`, fed by the platform's live Redis streams
 * (`StreamHub`), never by polling subgraphs. docs/api.md, "Live updates".
 */
export async function startLive(options: LiveOptions): Promise<RunningLive> {
  const { config, log, trustedDocuments, verifyToken } = options;
  const schema = liveSchema(readFileSync(options.apiSchemaFile, 'utf8'));
  // QUEUE_BACKEND=postgres: the live tables of the queue database instead of Redis streams (same cursors).
  const hub: LiveHub =
    config.QUEUE_BACKEND === 'postgres' ? new PostgresStreamHub(config, log) : new StreamHub(config.REDIS_URL, config.QUEUE_PREFIX, log);
  await hub.start();
  const access = new LiveAccess(options.apollo);
  const metrics = liveMetrics(options.registry);
  const memory = new OrderMemory();
  const orderListeners = new Set<(event: OrderEvent) => void>();
  hub.listen('orders', (entry) => {
    const event = memory.accept(entry);
    if (event) for (const listener of orderListeners) listener(event);
  });

  // Feeds listening now, by topic: one per running subscription (orders: besides the gateway's own reader of them), so
  // a subscription that ended and left its listener behind shows here (docs/operations.md).
  new Gauge({
    name: 'gateway_live_listeners',
    help: 'feeds listening to a live stream in this process, by topic (one per running subscription)',
    labelNames: ['topic'] as const,
    registers: [options.registry],
    collect() {
      this.set({ topic: 'orders' }, orderListeners.size);
      this.set({ topic: 'notifications' }, hub.listenerCount('notifications'));
    },
  });

  const sockets = new Map<WebSocket, SocketState>();
  const socketsByCaller = new Map<string, number>();

  function closeSocket(socket: WebSocket, code: number, reason: string): void {
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, reason);
  }

  /** Pushes a change, counting it and its latency from the event's commit. */
  function pusher<T>(queue: PushQueue<T>, field: SubscriptionField) {
    return (change: T, at: string | undefined) => {
      queue.push(change);
      metrics.pushed.inc({ field });
      if (at) metrics.latency.observe({ field }, Math.max(0, Date.now() - Date.parse(at)) / 1000);
    };
  }

  /**
   * A feed of one topic: listens first (buffering), then replays history after `after` (or one RESYNC), then passes
   * the buffer on without what the replay already gave, then live changes as they come.
   */
  function feed<T, E extends { cursor: string }>(
    field: SubscriptionField,
    topic: LiveTopic,
    after: string | null,
    listen: (deliver: (event: E) => void) => () => void,
    fromHistory: (entry: LiveEntry) => E | null,
    toChange: (event: E) => { change: T; at: string | undefined } | null,
  ): PushQueue<T> {
    let stopListening = () => {};
    const queue = new PushQueue<T>(() => {
      stopListening();
      metrics.subscriptions.dec({ field });
    });
    metrics.subscriptions.inc({ field });
    const push = pusher(queue, field);
    // A relay that re-sends a batch appends its events again: one event id reaches a subscriber once.
    const sent = new Set<string>();
    const send = (event: E) => {
      const out = toChange(event);
      if (!out) return;
      const eventId = (out.change as { eventId?: string; notification?: { id: string } }).eventId ?? (out.change as { notification?: { id: string } }).notification?.id;
      if (eventId) {
        if (sent.has(eventId)) return;
        sent.add(eventId);
        if (sent.size > 1000) sent.delete(sent.values().next().value!);
      }
      push(out.change, out.at);
    };
    if (after === null) {
      stopListening = listen(send);
      return queue;
    }
    let buffer: E[] | null = [];
    stopListening = listen((event) => (buffer ? buffer.push(event) : send(event)));
    // Everything after this cursor reaches the buffer; a RESYNC names it, so cursors keep increasing.
    const listeningFrom = hub.head(topic);
    const sendResync = () => queue.push(resync<T & (OrderChange | NotificationChange)>(listeningFrom) as T);
    void (async () => {
      let last = after;
      try {
        const history = await hub.history(topic, after);
        if (history.resync) sendResync();
        for (const entry of history.entries) {
          const event = fromHistory(entry);
          last = entry.cursor;
          if (event) send(event);
        }
      } catch (error) {
        log.warn({ err: (error as Error).message, topic }, 'live history not read; telling the client to refetch');
        sendResync();
      }
      // The buffer without what the history already gave (after a RESYNC, all of it).
      for (const event of buffer ?? []) if (compareCursors(event.cursor, last) > 0) send(event);
      buffer = null;
    })();
    return queue;
  }

  const resolvers = {
    notificationAdded(args: { after?: string | null }, context: LiveContext) {
      const after = resumeCursor(args.after);
      const mine = (entry: LiveEntry) => (entry.data.personId === context.claims.sub ? entry : null);
      return feed<NotificationChange, LiveEntry>(
        'notificationAdded',
        'notifications',
        after,
        (deliver) => hub.listen('notifications', (entry) => deliver(entry)),
        (entry) => entry,
        (entry) => (mine(entry) ? { change: notificationChange(entry, context.locale), at: String(entry.data.createdAt) } : null),
      );
    },
    async orderChanged(args: { id: string; after?: string | null }, context: LiveContext) {
      const after = resumeCursor(args.after);
      const check: OrderEventCheck = await access.orderCheck(context.claims, context.locale, args.id);
      return feed<OrderChange, OrderEvent>(
        'orderChanged',
        'orders',
        after,
        (deliver) => listenOrders(deliver),
        historicOrderEvent,
        (event) => (event.orderId === args.id && check(event.entry.unitPath) ? { change: orderChange(event, true), at: event.entry.occurredAt } : null),
      );
    },
    async orderBoardChanged(args: { unitId: string; after?: string | null }, context: LiveContext) {
      const after = resumeCursor(args.after);
      const boardPath = await access.boardPath(context.claims, context.locale, args.unitId);
      const within = (path: string | null) => path !== null && pathWithin(path, boardPath);
      return feed<OrderChange, OrderEvent>(
        'orderBoardChanged',
        'orders',
        after,
        (deliver) => listenOrders(deliver),
        historicOrderEvent,
        (event) => {
          if (within(event.entry.unitPath)) return { change: orderChange(event, true), at: event.entry.occurredAt };
          // Leaving the board: the order was on it before this move (as far as this gateway saw).
          if (within(event.previousUnitPath)) return { change: orderChange(event, false), at: event.entry.occurredAt };
          return null;
        },
      );
    },
  };

  function listenOrders(deliver: (event: OrderEvent) => void): () => void {
    orderListeners.add(deliver);
    return () => orderListeners.delete(deliver);
  }

  const subscriptionType = schema.getSubscriptionType()!;
  for (const [name, resolve] of Object.entries(resolvers)) {
    const field = subscriptionType.getFields()[name]!;
    field.subscribe = async (_root, args, context: LiveContext) => {
      try {
        return await (resolve as (args: unknown, context: LiveContext) => unknown)(args, context);
      } catch (error) {
        if (error instanceof DomainError) throw liveError(error, context.locale);
        throw error;
      }
    };
    field.resolve = (payload) => payload;
  }

  /** Subscriptions started in `onSubscribe` (to refuse with an `error` message), handed to graphql-ws by their args. */
  const started = new WeakMap<ExecutionArgs, AsyncIterableIterator<ExecutionResult>>();

  const server = makeServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>({
    schema,
    connectionInitWaitTimeout: 10_000,
    async onConnect(ctx) {
      const { socket, request } = ctx.extra;
      const token = tokenFrom(ctx.connectionParams);
      const locale = pickLocale(typeof ctx.connectionParams?.locale === 'string' ? ctx.connectionParams.locale : request.headers['accept-language']);
      let claims: Claims;
      let exp: number | undefined;
      try {
        if (!token) throw new Unauthenticated('required');
        claims = await verifyToken(token);
        exp = decodeJwt(token).exp;
      } catch (error) {
        const reason = error instanceof Unauthenticated ? String(error.params.reason) : 'invalidToken';
        closeSocket(socket, LIVE_CLOSE.unauthenticated, `UNAUTHENTICATED: ${reason}`);
        return false;
      }
      if (socket.readyState !== WebSocket.OPEN) return false; // gone while the token was checked
      const held = socketsByCaller.get(claims.sub) ?? 0;
      if (held >= config.LIVE_SOCKETS_PER_CALLER) {
        metrics.refused.inc({ reason: 'sockets' });
        closeSocket(socket, LIVE_CLOSE.tooManySockets, `RATE_LIMITED: at most ${config.LIVE_SOCKETS_PER_CALLER} live connections per caller`);
        return false;
      }
      socketsByCaller.set(claims.sub, held + 1);
      const state: SocketState = { claims, locale, expiry: undefined };
      const armExpiry = () => {
        if (exp === undefined) return;
        const due = (exp + config.JWT_CLOCK_TOLERANCE_SECONDS) * 1000 - Date.now();
        state.expiry = setTimeout(
          () => (due > MAX_TIMER_MS ? armExpiry() : closeSocket(socket, LIVE_CLOSE.unauthenticated, 'UNAUTHENTICATED: expiredToken')),
          Math.max(0, Math.min(due, MAX_TIMER_MS)),
        );
        state.expiry.unref();
      };
      armExpiry();
      sockets.set(socket, state);
      metrics.sockets.inc();
      return true;
    },
    async onSubscribe(ctx, _id, payload) {
      const state = sockets.get(ctx.extra.socket);
      if (!state) return [liveError(new Unauthenticated('required'), 'en')];
      const { locale } = state;
      if (Object.keys(ctx.subscriptions).length > config.LIVE_SUBSCRIPTIONS_PER_SOCKET) {
        metrics.refused.inc({ reason: 'subscriptions' });
        return [liveError(new DomainError('RATE_LIMITED', 'limit.subscriptions', { max: config.LIVE_SUBSCRIPTIONS_PER_SOCKET, reason: 'subscriptions' }), locale)];
      }
      // Trusted documents as over HTTP: by id (`documentId` or `extensions.persistedQuery`), or a registered text.
      const decision = trustedDocuments.decide({
        req: { method: 'POST', headers: ctx.extra.request.headers } as IncomingMessage,
        url: new URL('http://gateway/graphql'),
        body: payload,
      });
      if (!decision.ok) return [liveError(decision.error, locale)];
      const text = (decision.request.body as { query?: unknown }).query;
      let document: DocumentNode;
      try {
        document = parse(typeof text === 'string' ? text : '');
      } catch (error) {
        return [new GraphQLError((error as GraphQLError).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      }
      const invalid = validate(schema, document);
      if (invalid.length > 0) return invalid.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      const operation = getOperationAST(document, payload.operationName ?? undefined);
      if (!operation) return [new GraphQLError('Unable to identify the operation.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
      if (operation.operation !== 'subscription') {
        return [liveError(new BadUserInput('query', { key: 'input.invalid', detail: 'only subscriptions run over WebSocket; send queries and mutations over HTTP' }), locale)];
      }
      const args: ExecutionArgs = {
        schema,
        document,
        operationName: payload.operationName ?? undefined,
        variableValues: payload.variables ?? undefined,
        contextValue: { claims: state.claims, locale } satisfies LiveContext,
      };
      const result = await subscribe(args);
      if (!(Symbol.asyncIterator in result)) {
        return [...(result.errors ?? [liveError(new Forbidden(), locale)])].map((error) =>
          error.extensions?.code ? error : new GraphQLError(error.message, { path: error.path, extensions: { code: 'BAD_USER_INPUT' } }),
        );
      }
      started.set(args, result);
      return args;
    },
    subscribe: (args) => started.get(args) ?? subscribe(args),
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.MAX_BODY_BYTES });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    const origin = request.headers.origin;
    if (path !== '/graphql' || (origin && !originAllowed(options.origins, origin))) {
      socket.end(`HTTP/1.1 ${path !== '/graphql' ? '404 Not Found' : '403 Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  options.server.on('upgrade', onUpgrade);

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    // graphql-ws's own binding for `ws` (graphql-ws/use/ws), kept here to close with our codes and count sockets.
    socket.on('error', () => socket.close(CloseCode.InternalServerError, 'socket error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== WebSocket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (data) => {
            try {
              await cb(String(data));
            } catch (error) {
              log.warn({ err: (error as Error).message }, 'live message failed');
              closeSocket(socket, CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      const state = sockets.get(socket);
      if (state) {
        clearTimeout(state.expiry);
        sockets.delete(socket);
        metrics.sockets.dec();
        const held = (socketsByCaller.get(state.claims.sub) ?? 1) - 1;
        if (held > 0) socketsByCaller.set(state.claims.sub, held);
        else socketsByCaller.delete(state.claims.sub);
      }
      void closed(code, String(reason));
    });
  });

  log.info({ path: '/graphql', protocol: 'graphql-transport-ws' }, 'live updates ready');
  return {
    async stop() {
      options.server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) closeSocket(socket, LIVE_CLOSE.goingAway, 'gateway stopping');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await hub.stop();
    },
  };

  function resumeCursor(after: string | null | undefined): string | null {
    if (after === undefined || after === null) return null;
    if (!isCursor(after)) throw new DomainError('BAD_USER_INPUT', 'live.resumeCursor', { field: 'after' });
    return after;
  }
}

/** The executable schema of the live part: the API schema, whose `Subscription` fields this module resolves. */
function liveSchema(apiSchemaSdl: string): GraphQLSchema {
  const schema = buildSchema(apiSchemaSdl);
  if (!schema.getSubscriptionType()) throw new Error('the API schema has no Subscription type: run `npm run compose`');
  return schema;
}

function liveMetrics(registry: Registry) {
  const registers = [registry];
  return {
    sockets: new Gauge({ name: 'gateway_live_sockets', help: 'live-update WebSockets open (signed in)', registers }),
    subscriptions: new Gauge({ name: 'gateway_live_subscriptions', help: 'live subscriptions running, by field', labelNames: ['field'] as const, registers }),
    pushed: new Counter({ name: 'gateway_live_events_pushed_total', help: 'changes pushed to live subscribers, by field', labelNames: ['field'] as const, registers }),
    latency: new Histogram({
      name: 'gateway_live_push_latency_seconds',
      help: 'from the event (the outbox commit, or the notification written) to its push to a subscriber, by field',
      labelNames: ['field'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    refused: new Counter({ name: 'gateway_live_refused_total', help: 'live sockets (reason sockets) and subscriptions (reason subscriptions) refused by a limit', labelNames: ['reason'] as const, registers }),
  };
}

