import IORedis from 'ioredis';
import { WebSocket } from 'ws';
import {
  createLiveClient,
  LiveClient,
  NotificationAddedDocument,
  NotificationAddedSubscription,
  OrderBoardChangedDocument,
  OrderBoardChangedSubscription,
  OrderChangedDocument,
  OrderChangedSubscription,
  TypedDocument,
} from '@kz/client';
import { liveStreamKey, LiveTopic } from '@kz/events';
import { RunningGateway, startGateway } from '@kz/gateway';
import { RunningNotificationWorker, startNotificationWorker } from '@kz/notification-worker';
import { dataOf } from '@kz/testing';
import { orderMoves } from './live-orders';
import { Platform, startPlatform } from './stack';

/**
 * Live updates on the real platform: graphql-ws clients (`@kz/client`'s `createLiveClient`, and raw sockets for the
 * protocol's edges) on real gateways, fed by the orders subgraph's outbox relay and the notification worker through
 * the Redis live streams. Every wait is on a received message or a closed socket, with a deadline.
 */
const PEOPLE = { dispatcher: '13900230002', stationAdmin: '13900230005', zhou: '13900230008' };
const SUBSCRIPTIONS_PER_SOCKET = 3;
const SOCKETS_PER_CALLER = 2;

let platform: Platform;
let worker: RunningNotificationWorker;
let second: RunningGateway;
let redis: IORedis;
let yingbin: { id: string; path: string };
let heYi: string;
const tokens = { dispatcher: '', stationAdmin: '', zhou: '' };
const clients: LiveClient[] = [];
/** One socket per person, gateway and mode in a test, as an app shares one among its views. */
const sockets = new Map<string, LiveClient>();

beforeAll(async () => {
  platform = await startPlatform({
    seed: 'demo',
    clientManifest: true,
    env: {
      LIVE_SUBSCRIPTIONS_PER_SOCKET: String(SUBSCRIPTIONS_PER_SOCKET),
      LIVE_SOCKETS_PER_CALLER: String(SOCKETS_PER_CALLER),
      JWT_CLOCK_TOLERANCE_SECONDS: '0', // the expired-token case closes when the token's exp passes
    },
  });
  worker = await startNotificationWorker(
    {
      ...platform.config,
      VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
      ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
      POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
      QUIET_HOURS: 'off',
    },
    { port: 0 },
  );
  // A second gateway process on the same Redis and subgraphs, enforcing trusted documents.
  second = await startGateway(
    { ...platform.config, TRUSTED_DOCUMENTS: 'enforce' },
    { port: 0, subgraphUrls: Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.url])) },
  );
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  for (const name of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) tokens[name] = await platform.login(PEOPLE[name]);
  [{ id: heYi }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    ['13900230007'],
  );
}, 120_000);

async function disposeAll(): Promise<void> {
  sockets.clear();
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
}

afterEach(disposeAll);

afterAll(async () => {
  redis?.disconnect();
  await second?.stop();
  await worker?.stop();
  await platform?.stop();
});

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

function live(token: string, options: { gateway?: string; persisted?: boolean } = {}): LiveClient {
  const key = `${token}|${options.gateway ?? ''}|${options.persisted ?? false}`;
  const open = sockets.get(key);
  if (open) return open;
  const client = createLiveClient({
    url: wsUrl(options.gateway ?? platform.gatewayUrl),
    token,
    locale: 'zh-CN',
    webSocketImpl: WebSocket,
    persisted: options.persisted ?? false,
    retryAttempts: 0,
  });
  clients.push(client);
  sockets.set(key, client);
  return client;
}

interface ErrorEntry {
  message: string;
  extensions?: { code?: string };
}

/** What one subscription received, with a wait on the messages themselves (no sleeps). */
class Received<T> {
  readonly items: T[] = [];
  errors: ErrorEntry[] | null = null;
  private readonly waiters: (() => void)[] = [];

  add(item: T): void {
    this.items.push(item);
    this.wake();
  }

  fail(errors: unknown): void {
    const close = errors as { code?: number; reason?: string; message?: string };
    this.errors = Array.isArray(errors) ? (errors as ErrorEntry[]) : [{ message: String(close?.message ?? close?.reason), extensions: { code: `socket closed ${close?.code}` } }];
    this.wake();
  }

  /** Resolves when `done` holds over what was received, or rejects after `ms`. */
  async until(done: (items: T[]) => boolean, ms = 20_000): Promise<T[]> {
    const deadline = Date.now() + ms;
    while (!done(this.items)) {
      if (this.errors) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not received within ${ms} ms; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items;
  }

  async refusal(ms = 20_000): Promise<ErrorEntry[]> {
    const deadline = Date.now() + ms;
    while (!this.errors) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no refusal within ${ms} ms; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.errors;
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function subscribe<TResult, TVariables extends Record<string, unknown>>(
  client: LiveClient,
  document: TypedDocument<TResult, TVariables>,
  variables: TVariables,
): Received<TResult> {
  const received = new Received<TResult>();
  client.subscribe(document, variables, { next: (data) => received.add(data), error: (error) => received.fail(error) });
  return received;
}

/** The newest cursor of a live stream now ('0-0' before its first entry): subscribing `after` it misses nothing. */
async function head(topic: LiveTopic): Promise<string> {
  const [newest] = (await redis.xrevrange(liveStreamKey(platform.config.QUEUE_PREFIX, topic), '+', '-', 'COUNT', 1)) as [string, string[]][];
  return newest?.[0] ?? '0-0';
}

const { place, move, dispatch } = orderMoves(() => ({ platform, tokens, stationId: yingbin.id }));

/** accept → assign → start → deliver, by the station. */
async function serve(orderId: string): Promise<void> {
  await move(orderId, 'acceptOrder', 'OrderIdInput', tokens.stationAdmin);
  await move(orderId, 'assignVolunteers', 'AssignVolunteersInput', tokens.stationAdmin, { volunteerIds: [heYi] });
  await move(orderId, 'startService', 'OrderIdInput', tokens.stationAdmin);
  await move(orderId, 'deliverOrder', 'DeliverOrderInput', tokens.stationAdmin, { note: '已上门', outcome: 'FULL', minutes: [{ volunteerId: heYi, minutes: 45 }] });
}

const MOVES = ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'STARTED', 'DELIVERED'];

type Change = OrderChangedSubscription['orderChanged'];
const changesOf = (items: OrderChangedSubscription[]) => items.map((item) => item.orderChanged);
const boardOf = (items: OrderBoardChangedSubscription[], orderId: string) => items.map((item) => item.orderBoardChanged).filter((change) => change.orderId === orderId);

/** A raw graphql-ws socket (for what the client library never sends), with its close awaited. */
function rawSocket(url: string): { socket: WebSocket; opened: Promise<void>; closed: Promise<{ code: number; reason: string }>; messages: unknown[] } {
  const socket = new WebSocket(wsUrl(url), 'graphql-transport-ws');
  const messages: unknown[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return { socket, opened, closed, messages };
}

async function acked(url: string, token: string) {
  const raw = rawSocket(url);
  await raw.opened;
  raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const deadline = Date.now() + 20_000;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (raw.messages.some((message) => (message as { type: string }).type === 'connection_ack')) return resolve();
      if (Date.now() > deadline) return reject(new Error('no connection_ack'));
      raw.socket.once('message', check);
      raw.socket.once('close', () => reject(new Error('closed before connection_ack')));
    };
    check();
  });
  return raw;
}

describe('live updates of an order', () => {
  it('show the resident each move of her order in order, the station its board, and her inbox the new notification with the unread count', async () => {
    const [ordersHead, notificationsHead] = [await head('orders'), await head('notifications')];
    const unreadBefore = (await dataOf(platform.query<{ unreadNotificationCount: number }>('{ unreadNotificationCount }', {}, { token: tokens.zhou }))).unreadNotificationCount;
    const board = subscribe(live(tokens.stationAdmin), OrderBoardChangedDocument, { unitId: yingbin.id, after: ordersHead });
    const inbox = subscribe(live(tokens.zhou), NotificationAddedDocument, { after: notificationsHead });

    const orderId = await place('独居老人需要上门理发');
    const mine = subscribe(live(tokens.zhou), OrderChangedDocument, { id: orderId, after: ordersHead });
    await dispatch(orderId);
    await serve(orderId);

    const changes = changesOf(await mine.until((items) => items.length >= MOVES.length));
    expect(changes.map((change) => change.action)).toEqual(MOVES);
    expect(changes.map((change) => change.status)).toEqual(['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED']);
    expect(changes.map((change) => change.stage)).toEqual([null, 'ACCEPT', 'DELIVER', 'DELIVER', 'DELIVER', 'EVALUATE']);
    for (const change of changes) {
      expect(change).toMatchObject({ kind: 'EVENT', orderId, unitId: yingbin.id, unitPath: yingbin.path, onBoard: true });
      expect(change.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(change.at!)).not.toBeNaN();
    }
    // Cursors (stream ids) increase with the moves: the order of events per order holds.
    const position = (cursor: string) => cursor.split('-').map(Number) as [number, number];
    for (let i = 1; i < changes.length; i += 1) {
      const [[ms, seq], [prevMs, prevSeq]] = [position(changes[i]!.cursor), position(changes[i - 1]!.cursor)];
      expect(ms > prevMs || (ms === prevMs && seq > prevSeq)).toBe(true);
    }
    // No personal data travels: the payload has only the fields of OrderChange.
    expect(Object.keys(changes[0]!).sort()).toEqual(['action', 'at', 'cursor', 'eventId', 'kind', 'onBoard', 'orderId', 'stage', 'status', 'unitId', 'unitPath']);

    const onBoard = boardOf(await board.until((items) => boardOf(items, orderId).length >= MOVES.length), orderId);
    expect(onBoard.map((change) => change.action)).toEqual(MOVES);
    expect(onBoard.map((change) => change.eventId)).toEqual(changes.map((change) => change.eventId));

    // The worker handles events concurrently, so the five notifications of her order may reach the inbox in any order;
    // each push carries the unread count when it was written, and the last one written sees all five.
    const NOTIFIED = ['order.dispatched', 'order.accepted', 'order.assigned', 'order.started', 'order.delivered'];
    const forOrder = (items: NotificationAddedSubscription[]) =>
      items.map((item) => item.notificationAdded).filter((change) => change.notification?.link === `order:${orderId}`);
    const news = forOrder(await inbox.until((items) => forOrder(items).length >= NOTIFIED.length));
    expect(news.map((change) => change.notification!.kind).sort()).toEqual([...NOTIFIED].sort());
    for (const change of news) {
      expect(change).toMatchObject({ kind: 'EVENT', notification: { urgent: false, readAt: null } });
      expect(change.unreadCount).toBeGreaterThanOrEqual(unreadBefore + 1);
      expect(change.unreadCount).toBeLessThanOrEqual(unreadBefore + NOTIFIED.length);
    }
    expect(Math.max(...news.map((change) => change.unreadCount!))).toBe(unreadBefore + NOTIFIED.length);
    expect(news.find((change) => change.notification!.kind === 'order.dispatched')!.notification!.body).toContain('独居老人需要上门理发');

    // The gateway's /metrics counts sockets, subscriptions, pushes and their latency from the event.
    const metrics = await (await fetch(platform.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(/^gateway_live_sockets\{[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^gateway_live_subscriptions\{[^}]*field="orderBoardChanged"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^gateway_live_events_pushed_total\{[^}]*field="orderChanged"[^}]*\} [6-9]/m);
    expect(metrics).toMatch(/^gateway_live_push_latency_seconds_count\{[^}]*field="notificationAdded"[^}]*\} [1-9]/m);
  });

  it('gives a client that resumes with `after` the moves it missed, and RESYNC when they are no longer retained', async () => {
    const start = await head('orders');
    const orderId = await place('需要陪同就医');
    await dispatch(orderId);
    const first = subscribe(live(tokens.zhou), OrderChangedDocument, { id: orderId, after: start });
    const seen = changesOf(await first.until((items) => items.length >= 2));
    expect(seen.map((change) => change.action)).toEqual(['SUBMITTED', 'DISPATCHED']);
    await disposeAll(); // the phone goes offline

    await serve(orderId);
    const resumed = subscribe(live(tokens.zhou), OrderChangedDocument, { id: orderId, after: seen[1]!.cursor });
    const missed = changesOf(await resumed.until((items) => items.length >= 4));
    expect(missed.map((change) => change.action)).toEqual(['ACCEPTED', 'ASSIGNED', 'STARTED', 'DELIVERED']);

    // The stream is trimmed past that point (as MAXLEN ~ does over time): resuming there asks the client to refetch.
    await redis.xtrim(liveStreamKey(platform.config.QUEUE_PREFIX, 'orders'), 'MAXLEN', 0);
    const stale = subscribe(live(tokens.zhou), OrderChangedDocument, { id: orderId, after: seen[1]!.cursor });
    const [resync] = changesOf(await stale.until((items) => items.length >= 1));
    expect(resync).toMatchObject({ kind: 'RESYNC', eventId: null, orderId: null });
    expect(resync!.cursor).toMatch(/^\d+-\d+$/);

    const malformed = subscribe(live(tokens.zhou), OrderChangedDocument, { id: orderId, after: 'yesterday' });
    expect((await malformed.refusal())[0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('are delivered by every gateway process, the second one taking documents by id only (TRUSTED_DOCUMENTS=enforce)', async () => {
    const start = await head('orders');
    const one = subscribe(live(tokens.stationAdmin), OrderBoardChangedDocument, { unitId: yingbin.id, after: start });
    const two = subscribe(live(tokens.stationAdmin, { gateway: second.url, persisted: true }), OrderBoardChangedDocument, { unitId: yingbin.id, after: start });
    const text = subscribe(live(tokens.stationAdmin, { gateway: second.url }), OrderBoardChangedDocument, { unitId: yingbin.id, after: start });
    expect((await text.refusal())[0]!.extensions?.code).toBe('PERSISTED_DOCUMENT_REQUIRED');

    const orderId = await place('楼道灯坏了');
    await dispatch(orderId);
    for (const received of [one, two]) {
      const changes = boardOf(await received.until((items) => boardOf(items, orderId).length >= 2), orderId);
      expect(changes.map((change) => change.action)).toEqual(['SUBMITTED', 'DISPATCHED']);
    }
    expect(boardOf(one.items, orderId).map((change) => change.eventId)).toEqual(boardOf(two.items, orderId).map((change) => change.eventId));
  });
});

describe('live updates refuse', () => {
  it('a board outside the caller\'s scope, and an order the caller may not read, with a code', async () => {
    const [other] = await platform.org.query(`SELECT id::text FROM practice_unit WHERE level = 'STATION' AND code <> 'KZ-HANFENG-YINGBIN' ORDER BY id LIMIT 1`);
    const board = subscribe(live(tokens.stationAdmin), OrderBoardChangedDocument, { unitId: other.id });
    expect((await board.refusal())[0]!.extensions?.code).toBe('FORBIDDEN');
    const residentBoard = subscribe(live(tokens.zhou), OrderBoardChangedDocument, { unitId: yingbin.id });
    expect((await residentBoard.refusal())[0]!.extensions?.code).toBe('FORBIDDEN');

    const orderId = await place('需要代买药品');
    const stranger = await platform.tokenAs('RESIDENT', undefined, '990001');
    const theirs = subscribe(live(stranger), OrderChangedDocument, { id: orderId });
    expect((await theirs.refusal())[0]!.extensions?.code).toBe('FORBIDDEN');
  });

  it('more subscriptions on one socket than LIVE_SUBSCRIPTIONS_PER_SOCKET, and more sockets per caller than LIVE_SOCKETS_PER_CALLER', async () => {
    const client = live(tokens.zhou);
    const running = Array.from({ length: SUBSCRIPTIONS_PER_SOCKET }, () => subscribe(client, NotificationAddedDocument, {}));
    const extra = subscribe(client, NotificationAddedDocument, {});
    const [error] = await extra.refusal();
    expect(error!.extensions).toMatchObject({ code: 'RATE_LIMITED', max: SUBSCRIPTIONS_PER_SOCKET });
    expect(running.every((received) => received.errors === null)).toBe(true);

    const caller = await platform.tokenAs('RESIDENT', undefined, '990002');
    const open = [];
    for (let i = 0; i < SOCKETS_PER_CALLER; i += 1) open.push(await acked(platform.gatewayUrl, caller));
    const refused = rawSocket(platform.gatewayUrl);
    await refused.opened;
    refused.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${caller}` } }));
    expect(await refused.closed).toEqual({ code: 4429, reason: expect.stringContaining('RATE_LIMITED') });
    for (const raw of open) raw.socket.close();
    await Promise.all(open.map((raw) => raw.closed));
  });

  it('a socket without a valid token, and closes one whose token expires, with 4401 and the reason', async () => {
    const anonymous = rawSocket(platform.gatewayUrl);
    await anonymous.opened;
    anonymous.socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    expect(await anonymous.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED: required' });

    // Valid for 4-5 s (exp is in whole seconds): long enough that a loaded machine still connects before it expires.
    const token = await platform.token({ sub: '990003', roles: ['RESIDENT'] }, 5);
    const expiring = await acked(platform.gatewayUrl, token);
    expiring.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: NotificationAddedDocument.toString(), variables: {} } }));
    expect(await expiring.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED: expiredToken' });

    const late = rawSocket(platform.gatewayUrl);
    await late.opened;
    late.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    expect(await late.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED: expiredToken' });
  });

  it('malformed graphql-ws frames by closing that socket cleanly, and the gateway carries on', async () => {
    const garbage = rawSocket(platform.gatewayUrl);
    await garbage.opened;
    garbage.socket.send('{ this is not json');
    expect((await garbage.closed).code).toBe(4400);

    const badSubscribe = await acked(platform.gatewayUrl, tokens.zhou);
    badSubscribe.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 42 } }));
    expect((await badSubscribe.closed).code).toBe(4400);

    const unknownType = await acked(platform.gatewayUrl, tokens.zhou);
    unknownType.socket.send(JSON.stringify({ type: 'launch_missiles' }));
    expect((await unknownType.closed).code).toBe(4400);

    const beforeInit = rawSocket(platform.gatewayUrl);
    await beforeInit.opened;
    beforeInit.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: NotificationAddedDocument.toString() } }));
    expect((await beforeInit.closed).code).toBe(4401);

    const query = await acked(platform.gatewayUrl, tokens.zhou);
    query.socket.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ unreadNotificationCount }' } }));
    const deadline = Date.now() + 20_000;
    while (!query.messages.some((message) => (message as { type: string }).type === 'error')) {
      if (Date.now() > deadline) throw new Error('no error message for a query over WebSocket');
      await new Promise((resolve) => query.socket.once('message', resolve));
    }
    expect(query.messages).toContainEqual({ id: 'q', type: 'error', payload: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })] });
    query.socket.close();

    // Still serving, over HTTP and over WebSocket.
    expect((await dataOf(platform.query<{ unreadNotificationCount: number }>('{ unreadNotificationCount }', {}, { token: tokens.zhou }))).unreadNotificationCount).toBeGreaterThanOrEqual(0);
    const start = await head('orders');
    const mine = subscribe(live(tokens.zhou), OrderChangedDocument, { id: await place('窗户玻璃破损'), after: start });
    expect(changesOf(await mine.until((items) => items.length >= 1)).map((change: Change) => change.action)).toEqual(['SUBMITTED']);
  });
});
