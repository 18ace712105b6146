import IORedis from 'ioredis';
import { WebSocket } from 'ws';
import { createLiveClient, LiveClient, NotificationAddedDocument, OrderBoardChangedDocument, OrderBoardChangedSubscription, OrderChangedDocument, OrderChangedSubscription, TypedDocument } from '@kz/client';
import { liveStreamKey } from '@kz/events';
import { RunningGateway, startGateway } from '@kz/gateway';
import { dataOf, eventually, metricSample, PrivateRedis, scrapeMetrics } from '@kz/testing';
import { orderMoves } from './live-orders';
import { Platform, startPlatform } from './stack';

/**
 * Live updates under bad input and faults (issue 19, "Bad input and faults"): a flood of subscribe/complete on one
 * socket, subscriptions out of scope and with malformed ids in bulk, a gateway process restarting under many sockets,
 * and Redis gone for ten seconds. The whole platform runs on a private redis-server of this spec (append-only file
 * fsynced at every write, so a killed and restarted server has its streams and queues back), on databases and a
 * queue prefix of this run. Every wait is on received messages, closed sockets or a polled condition with a deadline.
 */
const PEOPLE = { dispatcher: '13900230002', stationAdmin: '13900230005', zhou: '13900230008' };
const SUBSCRIPTIONS_PER_SOCKET = 5;
const FLOOD_PAIRS = 2000;
const FLOOD_BURST = 2000;
/** Sockets held through the gateway restart (each with a board subscription). */
const RESTART_SOCKETS = 200;
/** How long Redis stays down. */
const OUTAGE_MS = 10_000;

let redis: PrivateRedis;
let platform: Platform;
let spare: RunningGateway;
let streams: IORedis;
let yingbin: { id: string; path: string };
let heYi: string;
const tokens = { dispatcher: '', stationAdmin: '', zhou: '' };
const clients: LiveClient[] = [];
const raws: Raw[] = [];

const subgraphUrls = () => Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.url]));

beforeAll(async () => {
  redis = await PrivateRedis.launch({ persistent: true });
  const admin = new IORedis(redis.url);
  await admin.config('SET', 'appendfsync', 'always'); // what was written before the kill is there after the restart
  admin.disconnect();
  platform = await startPlatform({
    seed: 'demo',
    env: { REDIS_URL: redis.url, LIVE_SUBSCRIPTIONS_PER_SOCKET: String(SUBSCRIPTIONS_PER_SOCKET), LIVE_SOCKETS_PER_CALLER: String(RESTART_SOCKETS + 50) },
  });
  // The gateway process that is stopped and started again (the platform's own one carries the mutations meanwhile).
  spare = await startGateway(platform.config, { port: 0, subgraphUrls: subgraphUrls() });
  streams = new IORedis(redis.url, { maxRetriesPerRequest: null });
  streams.on('error', () => undefined); // the server is killed on purpose in the last test
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  for (const name of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) tokens[name] = await platform.login(PEOPLE[name]);
  [{ id: heYi }] = await platform.volunteers.query('SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1', ['13900230007']);
}, 120_000);

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.socket.terminate();
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  // Redis first (down only if a test failed during the outage): the BullMQ workers close through it.
  if (redis && !redis.running) await redis.start();
  streams?.disconnect();
  await spare?.stop();
  await platform?.stop();
  await redis?.destroy();
}, 60_000);

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

interface ErrorEntry {
  message: string;
  extensions?: { code?: string; max?: number };
}

type Change = OrderChangedSubscription['orderChanged'];

/** What one subscription of `createLiveClient` received, and any refusal or close. */
interface Received {
  changes: Change[];
  errors: unknown[];
}

function live(url: string, token: string, retryAttempts = 0): LiveClient {
  const client = createLiveClient({ url: wsUrl(url), token, locale: 'zh-CN', webSocketImpl: WebSocket, retryAttempts });
  clients.push(client);
  return client;
}

function follow<TVariables extends Record<string, unknown>>(
  client: LiveClient,
  document: TypedDocument<OrderBoardChangedSubscription | OrderChangedSubscription, TVariables>,
  variables: TVariables,
): Received {
  const received: Received = { changes: [], errors: [] };
  client.subscribe(document, variables, {
    next: (data) => received.changes.push('orderBoardChanged' in data ? data.orderBoardChanged : data.orderChanged),
    error: (error) => received.errors.push(error),
  });
  return received;
}

/** A raw graphql-ws socket: what the client library never sends, as fast as the socket takes it. */
class Raw {
  readonly messages: { id?: string; type: string; payload?: unknown }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.wake();
      }),
    );
  }

  static async acked(url: string, token: string): Promise<Raw> {
    const raw = new Raw(new WebSocket(wsUrl(url), 'graphql-transport-ws'));
    raws.push(raw);
    await new Promise<void>((resolve, reject) => {
      raw.socket.once('open', () => resolve());
      raw.socket.once('error', reject);
    });
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await raw.until((messages) => messages.some((message) => message.type === 'connection_ack'), 'connection_ack');
    return raw;
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(id: string, document: { toString(): string }, variables: Record<string, unknown>): void {
    this.send({ id, type: 'subscribe', payload: { query: document.toString(), variables } });
  }

  errorsOf(prefix: string): { id: string; payload: ErrorEntry[] }[] {
    return this.messages.filter((message) => message.type === 'error' && message.id?.startsWith(prefix)) as { id: string; payload: ErrorEntry[] }[];
  }

  /** Waits until `done` holds over the messages received; fails at once if the socket closes first. */
  async until(done: (messages: Raw['messages']) => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done(this.messages)) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not received within ${ms} ms (${this.messages.length} messages)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

const { place, move, dispatch } = orderMoves(() => ({ platform, tokens, stationId: yingbin.id }));
const accept = (orderId: string) => move(orderId, 'acceptOrder', 'OrderIdInput', tokens.stationAdmin);
const assign = (orderId: string) => move(orderId, 'assignVolunteers', 'AssignVolunteersInput', tokens.stationAdmin, { volunteerIds: [heYi] });

const ordersKey = () => liveStreamKey(platform.config.QUEUE_PREFIX, 'orders');

async function head(): Promise<string> {
  const [newest] = (await streams.xrevrange(ordersKey(), '+', '-', 'COUNT', 1)) as [string, string[]][];
  return newest?.[0] ?? '0-0';
}

/** The event ids the orders stream holds for these orders after `after`, in stream order: what a subscriber must get. */
async function streamed(after: string, orderIds: string[]): Promise<string[]> {
  const entries = (await streams.xrange(ordersKey(), `(${after}`, '+')) as [string, string[]][];
  return entries
    .map(([, fields]) => JSON.parse(fields[fields.indexOf('e') + 1]!) as { id: string; payload: { orderId?: string } })
    .filter((entry) => orderIds.includes(entry.payload.orderId ?? ''))
    .map((entry) => entry.id);
}

/** Waits until the stream holds `count` events of these orders after `after`, and returns their ids. */
async function streamedAll(after: string, orderIds: string[], count: number, ms = 30_000): Promise<string[]> {
  await eventually(async () => (await streamed(after, orderIds)).length >= count, ms);
  return streamed(after, orderIds);
}

const idsOf = (received: Received, orderIds: string[]) => received.changes.filter((change) => change.kind === 'EVENT' && orderIds.includes(change.orderId!)).map((change) => change.eventId!);

async function gauge(url: string, name: string, labels: Record<string, string>): Promise<number> {
  return metricSample(await scrapeMetrics(url), name, labels) ?? 0;
}

/** The live gauges of a gateway process: sockets, subscriptions and stream listeners. */
async function liveGauges(url: string) {
  const text = await scrapeMetrics(url);
  return {
    sockets: metricSample(text, 'gateway_live_sockets') ?? 0,
    subscriptions: metricSample(text, 'gateway_live_subscriptions') ?? 0,
    listeners: metricSample(text, 'gateway_live_listeners') ?? 0,
  };
}

async function unpublished(): Promise<number> {
  const [row] = (await platform.orders.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')) as { n: number }[];
  return row!.n;
}

describe('live updates under bad input', () => {
  it(`survive ${FLOOD_PAIRS} subscribe/complete pairs and a burst of ${FLOOD_BURST} subscribes on one socket: coded refusals, gauges and listeners back to the real number`, async () => {
    const url = platform.gatewayUrl;
    const before = await liveGauges(url);
    const raw = await Raw.acked(url, tokens.stationAdmin);
    const start = await head();

    // Subscribe and complete at once, as fast as the socket takes them: the inbox, and every tenth a board (which asks
    // the graph for the unit first, so its complete usually arrives while the subscription is still being set up).
    for (let i = 0; i < FLOOD_PAIRS; i += 1) {
      if (i % 10 === 0) raw.subscribe(`pair-${i}`, OrderBoardChangedDocument, { unitId: yingbin.id, after: null });
      else raw.subscribe(`pair-${i}`, NotificationAddedDocument, {});
      raw.send({ id: `pair-${i}`, type: 'complete' });
    }
    // A marker refused at once (a malformed cursor): the flood before it has been read.
    raw.subscribe('marker-1', OrderBoardChangedDocument, { unitId: yingbin.id, after: 'not-a-cursor' });
    await raw.until((messages) => messages.some((message) => message.id === 'marker-1'), 'the marker after the flood');
    // Whatever a limit refused is coded; nothing else was answered (a completed subscription gets no message).
    for (const { payload } of raw.errorsOf('pair-')) expect(payload[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', max: SUBSCRIPTIONS_PER_SOCKET });
    expect(raw.messages.filter((message) => message.id?.startsWith('pair-') && message.type !== 'error')).toEqual([]);
    await eventually(async () => {
      const now = await liveGauges(url);
      return now.subscriptions === before.subscriptions && now.listeners === before.listeners && now.sockets === before.sockets + 1;
    });

    // A burst of subscribes never completed: at most the limit run, the others are refused with RATE_LIMITED.
    for (let i = 0; i < FLOOD_BURST; i += 1) raw.subscribe(`burst-${i}`, OrderBoardChangedDocument, { unitId: yingbin.id, after: null });
    let running = 0;
    await eventually(async () => {
      running = await gauge(url, 'gateway_live_subscriptions', { field: 'orderBoardChanged' });
      return raw.errorsOf('burst-').length + running - before.subscriptions === FLOOD_BURST;
    }, 60_000);
    const refused = raw.errorsOf('burst-');
    expect(running - before.subscriptions).toBeGreaterThanOrEqual(1);
    expect(running - before.subscriptions).toBeLessThanOrEqual(SUBSCRIPTIONS_PER_SOCKET);
    for (const { payload } of refused) expect(payload[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', max: SUBSCRIPTIONS_PER_SOCKET });
    expect((await liveGauges(url)).listeners - before.listeners).toBe(running - before.subscriptions);

    // The ones running still deliver, once each.
    const orderId = await place('楼道扶手松动');
    const [submitted] = await streamedAll(start, [orderId], 1);
    await raw.until((messages) => messages.filter((message) => message.type === 'next').length >= running - before.subscriptions, 'the running subscriptions\' change');
    const pushed = raw.messages.filter((message) => message.type === 'next').map((message) => (message.payload as { data: OrderBoardChangedSubscription }).data.orderBoardChanged);
    expect(pushed.map((change) => change.eventId)).toEqual(Array.from({ length: running - before.subscriptions }, () => submitted));

    for (let i = 0; i < FLOOD_BURST; i += 1) raw.send({ id: `burst-${i}`, type: 'complete' });
    raw.subscribe('marker-2', OrderBoardChangedDocument, { unitId: yingbin.id, after: 'not-a-cursor' });
    await raw.until((messages) => messages.some((message) => message.id === 'marker-2'), 'the marker after the completes');
    await eventually(async () => {
      const now = await liveGauges(url);
      return now.subscriptions === before.subscriptions && now.listeners === before.listeners;
    });
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);

    // The gateway answers a query, and a new subscription on the same socket works.
    expect((await dataOf(platform.query<{ order: { id: string } }>('query($id: ID!) { order(id: $id) { id } }', { id: orderId }, { token: tokens.stationAdmin }))).order.id).toBe(orderId);
    raw.subscribe('after-flood', OrderChangedDocument, { id: orderId, after: start });
    await raw.until((messages) => messages.some((message) => message.id === 'after-flood' && message.type === 'next'), 'a subscription after the flood');
    raw.socket.close();
    await raw.closed;
    await eventually(async () => (await liveGauges(url)).sockets === before.sockets);
  }, 90_000);

  it('refuse boards outside the scope and malformed ids in bulk with FORBIDDEN / BAD_USER_INPUT, and the socket stays usable', async () => {
    const raw = await Raw.acked(platform.gatewayUrl, tokens.stationAdmin);
    const others = (await platform.org.query(`SELECT id::text FROM practice_unit WHERE path NOT LIKE $1 ORDER BY id LIMIT 40`, [`${yingbin.path}%`])) as { id: string }[];
    const otherOrder = await place('需要代缴水电费');
    const cases: { variables: Record<string, unknown>; document: typeof OrderBoardChangedDocument | typeof OrderChangedDocument; code: string }[] = [
      ...others.map((unit) => ({ document: OrderBoardChangedDocument, variables: { unitId: unit.id }, code: 'FORBIDDEN' })),
      // Ids that are no unit's: refused as out of scope, with no hint of whether they exist.
      ...['not-a-uuid', '', '00000000-0000-0000-0000-000000000000', "'; DROP TABLE practice_unit; --", 'x'.repeat(5000), '../../etc/passwd'].map((unitId) => ({
        document: OrderBoardChangedDocument,
        variables: { unitId },
        code: 'FORBIDDEN',
      })),
      // Variables of the wrong shape, and malformed cursors: bad input.
      { document: OrderBoardChangedDocument, variables: { unitId: { id: yingbin.id } }, code: 'BAD_USER_INPUT' },
      { document: OrderBoardChangedDocument, variables: {}, code: 'BAD_USER_INPUT' },
      { document: OrderBoardChangedDocument, variables: { unitId: yingbin.id, after: '1-2-3' }, code: 'BAD_USER_INPUT' },
      { document: OrderBoardChangedDocument, variables: { unitId: yingbin.id, after: '99999999999999999-0' }, code: 'BAD_USER_INPUT' },
      { document: OrderChangedDocument, variables: { id: ['x'] }, code: 'BAD_USER_INPUT' },
      { document: OrderChangedDocument, variables: { id: otherOrder, after: 'yesterday' }, code: 'BAD_USER_INPUT' },
      // An order a station admin of another station may not read, and ids that are no order's.
      ...['not-a-uuid', '00000000-0000-0000-0000-000000000000', 'x'.repeat(5000)].map((id) => ({ document: OrderChangedDocument, variables: { id }, code: 'FORBIDDEN' })),
    ];
    // In windows below the per-socket limit (pending subscriptions count against it), all of them twice.
    const all = [...cases, ...cases];
    const window = SUBSCRIPTIONS_PER_SOCKET - 1;
    for (let from = 0; from < all.length; from += window) {
      const ids = all.slice(from, from + window).map((item, i) => {
        const id = `bad-${from + i}`;
        raw.subscribe(id, item.document, item.variables);
        return id;
      });
      await raw.until((messages) => ids.every((id) => messages.some((message) => message.id === id && message.type === 'error')), `refusals of ${ids.join(', ')}`);
    }
    const codes = all.map((_, i) => (raw.messages.find((message) => message.id === `bad-${i}`)!.payload as ErrorEntry[])[0]!.extensions?.code);
    expect(codes).toEqual(all.map((item) => item.code));
    expect(raw.messages.filter((message) => message.type === 'next')).toEqual([]);

    // Still open and serving: its own board delivers the next order.
    const start = await head();
    raw.subscribe('mine', OrderBoardChangedDocument, { unitId: yingbin.id, after: start });
    const orderId = await place('楼下路灯不亮');
    await raw.until(
      (messages) => messages.some((message) => message.id === 'mine' && message.type === 'next' && (message.payload as { data: OrderBoardChangedSubscription }).data.orderBoardChanged.orderId === orderId),
      'the own board after the refusals',
    );
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
  }, 60_000);
});

describe('live updates under faults', () => {
  it(`resume every one of ${RESTART_SOCKETS} sockets after their gateway process restarts: each missed move once, in order`, async () => {
    const url = spare.url;
    const port = Number(new URL(url).port);
    const start = await head();
    const boards = Array.from({ length: RESTART_SOCKETS }, () => follow(live(url, tokens.stationAdmin, 20), OrderBoardChangedDocument, { unitId: yingbin.id, after: start }));

    // Every socket is subscribed once each has the first order's first move.
    const first = await place('restart: 需要上门测血压');
    await eventually(async () => boards.every((received) => idsOf(received, [first]).length >= 1), 60_000);
    expect((await liveGauges(url)).sockets).toBe(RESTART_SOCKETS);

    await spare.stop(); // closes every socket with 1001 (going away): the clients retry with `after` = their last cursor
    await dispatch(first);
    await accept(first);
    const second = await place('restart: 需要代取快递');
    await dispatch(second);
    spare = await startGateway(platform.config, { port, subgraphUrls: subgraphUrls() });
    await assign(first); // and one move after the restart

    const expected = await streamedAll(start, [first, second], 6);
    await eventually(async () => boards.every((received) => idsOf(received, [first, second]).length >= expected.length), 60_000);
    for (const received of boards) {
      expect(idsOf(received, [first, second])).toEqual(expected);
      expect(received.changes.filter((change) => change.kind === 'RESYNC')).toEqual([]);
      expect(received.errors).toEqual([]);
    }
    await eventually(async () => (await liveGauges(url)).sockets === RESTART_SOCKETS);
  }, 120_000);

  it(`survive Redis gone for ${OUTAGE_MS / 1000} s: moves made meanwhile reach subscribers once it is back (each once, in order), a resume meanwhile gets RESYNC`, async () => {
    const url = platform.gatewayUrl;
    const start = await head();
    const orderId = await place('redis: 需要上门换灯泡');
    const board = follow(live(url, tokens.stationAdmin), OrderBoardChangedDocument, { unitId: yingbin.id, after: start });
    const mine = follow(live(url, tokens.zhou), OrderChangedDocument, { id: orderId, after: start });
    const [submitted] = await streamedAll(start, [orderId], 1);
    await eventually(async () => idsOf(board, [orderId]).length === 1 && idsOf(mine, [orderId]).length === 1);

    await redis.stop(); // SIGKILL
    const downAt = Date.now();
    await dispatch(orderId);
    await accept(orderId);
    const other = await place('redis: 需要代买菜');
    await dispatch(other);
    expect(await unpublished()).toBeGreaterThanOrEqual(4); // kept in the outbox until the relay can append them
    // A client resuming meanwhile cannot be given its history: it is told to refetch (RESYNC), and stays subscribed.
    const late = follow(live(url, tokens.stationAdmin), OrderBoardChangedDocument, { unitId: yingbin.id, after: start });
    await eventually(async () => late.changes.length >= 1, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(late)}`);
    });
    expect(late.changes[0]).toMatchObject({ kind: 'RESYNC', eventId: null });
    // The gateway still answers (nothing on the query path needs Redis) while the outage lasts its full length.
    await eventually(async () => {
      const { order } = await dataOf(platform.query<{ order: { status: string } }>('query($id: ID!) { order(id: $id) { status } }', { id: orderId }, { token: tokens.stationAdmin }));
      return order.status === 'ACCEPTED' && Date.now() - downAt >= OUTAGE_MS;
    }, OUTAGE_MS + 20_000);
    expect(await unpublished()).toBeGreaterThanOrEqual(4);

    await redis.start(); // the same port, its append-only file: the stream as it was
    const expected = await streamedAll(start, [orderId, other], 5, 30_000);
    expect(expected[0]).toBe(submitted);
    await eventually(async () => idsOf(board, [orderId, other]).length >= 5 && idsOf(mine, [orderId]).length >= 3 && idsOf(late, [orderId, other]).length >= 4, 30_000);
    await eventually(async () => (await unpublished()) === 0);
    expect(idsOf(board, [orderId, other])).toEqual(expected);
    expect(idsOf(mine, [orderId])).toEqual(expected.slice(0, 3));
    expect(mine.changes.map((change) => change.action)).toEqual(['SUBMITTED', 'DISPATCHED', 'ACCEPTED']);
    expect(idsOf(late, [orderId, other])).toEqual(expected.slice(1));
    expect(late.changes.filter((change) => change.kind === 'RESYNC')).toHaveLength(1);
    for (const received of [board, mine, late]) expect(received.errors).toEqual([]);

    // The process is whole: it answers over HTTP, its metrics, and a new subscription resumes from history again.
    expect(await gauge(url, 'gateway_live_sockets', {})).toBeGreaterThanOrEqual(3);
    const resumed = follow(live(url, tokens.zhou), OrderChangedDocument, { id: orderId, after: start });
    await eventually(async () => resumed.changes.length >= 3);
    expect(idsOf(resumed, [orderId])).toEqual(expected.slice(0, 3));
  }, 90_000);
});
