import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import WebSocket from 'ws';
import { pathWithin, signToken } from '@kz/auth';
import { OrderBoardChangedDocument, StationOrdersDocument } from '@kz/client';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';
import { cpuSeconds, rssKiB } from './processes';
import { percentile } from './load';

/** Sockets of the idle-socket row, and how many open at once (batches, so the gateway is not SYN-flooded). */
const IDLE_SOCKETS = 2000;
const OPEN_BATCH = 100;
/** Subscribers of the push row: one per socket, spread evenly over the boards of `STATIONS` stations. */
const SUBSCRIBERS = 500;
const STATIONS = 50;
/** Order moves per second committed to the orders outbox, in every mode. */
const EVENTS_PER_SECOND = 100;
/** How often each polling client refetches its board, and how long each mode lasts. */
const POLL_MS = 5000;
const MODE_SECONDS = 20;
const GOAL_P95_MS = 500;

const BOARD = String(OrderBoardChangedDocument);
const STATION_ORDERS = String(StationOrdersDocument);

export interface LiveTarget {
  config: Config;
  /** The single-process gateway (GATEWAY_WORKERS=1): its pid and port. */
  gateway: { pid: number; port: number };
  /** The subgraphs' processes, for their CPU time. */
  subgraphs: { app: string; pid: number }[];
}

export interface LiveReport {
  idle: { sockets: number; limit: string; beforeKiB: number; socketsKiB: number; subscribedKiB: number; perSocketKiB: number; perSubscriptionKiB: number; openSeconds: number; subscribeSeconds: number; refusals: number };
  push: { subscribers: number; stations: number; events: number; expected: number; delivered: number; duplicates: number; lost: number; p50: number; p95: number; p99: number; max: number; relayP95: number; gatewayP95: number; pass: boolean };
  modes: { mode: string; seconds: number; requests: number; rps: number; failures: number; unfinished: number; p50: number | null; p95: number | null; messages: number; cpu: { gateway: number; subgraphs: number; total: number }; load: number }[];
  markdown: string;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The soft limit on open files of a process (`/proc/<pid>/limits`), or null when unlimited or unreadable. */
function openFilesLimit(pid: number | 'self'): number | null {
  try {
    const match = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return match && match[1] !== 'unlimited' ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** One graphql-ws client socket, speaking the protocol's frames directly (`graphql-transport-ws`). */
class LiveSocket {
  readonly ws: WebSocket;
  /** Called for each `next` frame, with the time it arrived (ms, `Date.now()`). */
  onNext: ((payload: { data?: { orderBoardChanged?: { eventId?: string; cursor: string } } }, at: number) => void) | null = null;
  errors = 0;

  private constructor(url: string) {
    this.ws = new WebSocket(url, 'graphql-transport-ws');
  }

  static open(url: string, token: string): Promise<LiveSocket> {
    const socket = new LiveSocket(url);
    return new Promise((resolve, reject) => {
      socket.ws.once('error', reject);
      socket.ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${String(reason)} before connection_ack`)));
      socket.ws.once('open', () => socket.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      socket.ws.on('message', (data) => {
        const at = Date.now();
        const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
        if (message.type === 'connection_ack') {
          socket.ws.removeAllListeners('close');
          socket.ws.removeAllListeners('error');
          socket.ws.on('error', () => (socket.errors += 1));
          resolve(socket);
        } else if (message.type === 'ping') socket.ws.send(JSON.stringify({ type: 'pong' }));
        else if (message.type === 'next') socket.onNext?.(message.payload as never, at);
        else if (message.type === 'error') {
          socket.errors += 1;
          socket.refused = true;
        }
      });
    });
  }

  /** Set when the gateway refused the last subscription (an `error` frame): subscribe again. */
  refused = false;
  private subscriptions = 0;

  subscribe(unitId: string): void {
    this.refused = false;
    this.subscriptions += 1;
    this.ws.send(JSON.stringify({ id: String(this.subscriptions), type: 'subscribe', payload: { query: BOARD, operationName: 'OrderBoardChanged', variables: { unitId } } }));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }
}

interface Station {
  id: string;
  path: string;
  orders: string[];
}

/**
 * Order moves committed to the orders subgraph's outbox at a steady rate (`order.followUp.added` of real orders of
 * the stations, one INSERT of `perTick` rows per tick): the orders subgraph's own relay publishes them (its queues and
 * the live stream), as it does a mutation's. Returns each event's commit time (ms, when the INSERT returned).
 */
class Mover {
  readonly committed = new Map<string, { at: number; path: string }>();
  private next = 0;

  constructor(
    private readonly db: Client,
    private readonly stations: Station[],
  ) {}

  async insert(count: number): Promise<void> {
    const ids: string[] = [];
    const values: unknown[] = [];
    const rows: string[] = [];
    const paths: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const station = this.stations[this.next % this.stations.length]!;
      const orderId = station.orders[Math.floor(this.next / this.stations.length) % station.orders.length]!;
      this.next += 1;
      const id = randomUUID();
      ids.push(id);
      paths.push(station.path);
      const base = values.length;
      rows.push(`($${base + 1}, 'order.followUp.added', 1, now(), '{"system":"bench"}', $${base + 2}, $${base + 3})`);
      values.push(id, station.path, JSON.stringify({ orderId, note: 'bench follow-up' }));
    }
    await this.db.query(`INSERT INTO outbox (id, type, version, occurred_at, actor, unit_path, payload) VALUES ${rows.join(', ')}`, values);
    const at = Date.now();
    ids.forEach((id, i) => this.committed.set(id, { at, path: paths[i]! }));
  }

  /** Moves at `perSecond` for `seconds`, in ticks of 50 ms scheduled on the clock (no drift). */
  async run(perSecond: number, seconds: number): Promise<number> {
    const tickMs = 50;
    const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
    const started = performance.now();
    let sent = 0;
    for (let tick = 0; performance.now() - started < seconds * 1000; tick += 1) {
      await this.insert(perTick);
      sent += perTick;
      const wait = started + (tick + 1) * tickMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    return sent;
  }
}

/**
 * Live updates on one gateway process (GATEWAY_WORKERS=1): the memory of idle graphql-ws sockets, the latency of
 * board changes from the outbox commit to the subscriber, and the cost of the same boards kept fresh by polling.
 */
export async function liveBenchmark(target: LiveTarget): Promise<LiveReport> {
  const { config } = target;
  const wsUrl = `ws://127.0.0.1:${target.gateway.port}/graphql`;
  const httpUrl = `http://127.0.0.1:${target.gateway.port}/graphql`;
  const db = new Client(pgClientConfig(config, config.ORDERS_DATABASE));
  await db.connect();
  const sockets: LiveSocket[] = [];
  try {
    const stations: Station[] = (
      await db.query(
        `SELECT station_id::text AS id, station_path AS path, (array_agg(id::text ORDER BY id))[1:20] AS orders
           FROM service_order WHERE station_id IS NOT NULL GROUP BY station_id, station_path ORDER BY count(*) DESC, station_id LIMIT $1`,
        [STATIONS],
      )
    ).rows;
    if (stations.length < STATIONS) throw new Error(`live: ${stations.length} stations with orders, ${STATIONS} wanted (seed kaizhou)`);
    const mover = new Mover(db, stations);
    // Each socket is its own station admin (LIVE_SOCKETS_PER_CALLER counts sockets per token subject).
    const tokens = await Promise.all(
      Array.from({ length: IDLE_SOCKETS }, (_, i) => {
        const station = stations[i % STATIONS]!;
        return signToken(config, { sub: `bench-live-${i}`, roles: ['STATION_ADMIN'], unitId: station.id, unitPath: station.path }, 3600);
      }),
    );

    const cpu = () => ({
      gateway: cpuSeconds(target.gateway.pid) ?? 0,
      subgraphs: target.subgraphs.reduce((sum, { pid }) => sum + (cpuSeconds(pid) ?? 0), 0),
    });
    const modes: LiveReport['modes'] = [];
    const measure = async (mode: string, during: () => Promise<{ requests: number; failures: number; messages: number; unfinished?: number; p50?: number; p95?: number }>) => {
      const load = loadavg()[0]!;
      const c0 = cpu();
      const t0 = performance.now();
      const { requests, failures, messages, unfinished = 0, p50 = null, p95 = null } = await during();
      const seconds = (performance.now() - t0) / 1000;
      const c1 = cpu();
      const round = (n: number) => Math.round(n * 100) / 100;
      const used = { gateway: round(c1.gateway - c0.gateway), subgraphs: round(c1.subgraphs - c0.subgraphs), total: round(c1.gateway - c0.gateway + c1.subgraphs - c0.subgraphs) };
      modes.push({ mode, seconds: round(seconds), requests, rps: round(requests / seconds), failures, unfinished, p50, p95, messages, cpu: used, load: round(load) });
      process.stdout.write(`live: ${mode}: ${requests} requests, ${messages} messages, CPU ${used.total} s (gateway ${used.gateway} s) in ${round(seconds)} s\n`);
    };

    // 0. The moves alone, before any client: what the other modes add to.
    await measure('no clients (the moves alone)', async () => {
      await new Mover(db, stations).run(EVENTS_PER_SECOND, MODE_SECONDS);
      return { requests: 0, failures: 0, messages: 0 };
    });

    // 1. Idle sockets, as many as the open-file limits of this process and the gateway allow (with room for the rest).
    const limits = [openFilesLimit('self'), openFilesLimit(target.gateway.pid)].filter((n): n is number => n !== null);
    const room = limits.length ? Math.min(...limits) - 300 : Infinity;
    const count = Math.max(SUBSCRIBERS, Math.min(IDLE_SOCKETS, room));
    const limit = limits.length ? `open-file limit ${Math.min(...limits)}` : 'no open-file limit';
    if (count < IDLE_SOCKETS) process.stdout.write(`live: ${limit} leaves room for ${count} sockets, not ${IDLE_SOCKETS}\n`);
    await sleep(1000);
    const beforeKiB = rssKiB(target.gateway.pid) ?? NaN;
    const openStarted = performance.now();
    for (let i = 0; i < count; i += OPEN_BATCH) {
      sockets.push(...(await Promise.all(tokens.slice(i, Math.min(count, i + OPEN_BATCH)).map((token) => LiveSocket.open(wsUrl, token)))));
    }
    const openSeconds = (performance.now() - openStarted) / 1000;
    await sleep(2000);
    const socketsKiB = rssKiB(target.gateway.pid) ?? NaN;
    // One board subscription each (socket i: station i mod STATIONS), in batches too: each subscription asks the
    // graph for the board's unit (as the caller) before it starts. A batch is running once the gateway's
    // `gateway_live_subscriptions` gauge counts it (no events needed, so nothing is pushed while memory is read).
    const running = async () => {
      const text = await (await fetch(`http://127.0.0.1:${target.gateway.port}/metrics`)).text();
      return Number(/^gateway_live_subscriptions\{[^}]*field="orderBoardChanged"[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const subscribeStarted = performance.now();
    for (let from = 0; from < sockets.length; from += OPEN_BATCH) {
      const batch = sockets.slice(from, from + OPEN_BATCH);
      batch.forEach((socket, i) => socket.subscribe(stations[(from + i) % STATIONS]!.id));
      const readyBy = Date.now() + 30_000;
      while ((await running()) < from + batch.length) {
        if (Date.now() > readyBy) throw new Error(`live: subscriptions ${from}–${from + batch.length} not running within 30 s`);
        await sleep(100);
        batch.forEach((socket, i) => socket.refused && socket.subscribe(stations[(from + i) % STATIONS]!.id));
      }
    }
    const subscribeSeconds = (performance.now() - subscribeStarted) / 1000;
    const refusals = sockets.reduce((sum, socket) => sum + socket.errors, 0);
    await sleep(2000);
    const subscribedKiB = rssKiB(target.gateway.pid) ?? NaN;
    const idle = {
      sockets: count,
      limit,
      beforeKiB,
      socketsKiB,
      subscribedKiB,
      perSocketKiB: Math.round(((socketsKiB - beforeKiB) / count) * 10) / 10,
      perSubscriptionKiB: Math.round(((subscribedKiB - socketsKiB) / count) * 10) / 10,
      openSeconds: Math.round(openSeconds * 10) / 10,
      subscribeSeconds: Math.round(subscribeSeconds * 10) / 10,
      refusals,
    };
    process.stdout.write(`live: ${count} sockets: RSS ${beforeKiB} → ${socketsKiB} KiB (${idle.perSocketKiB} KiB each), subscribed ${subscribedKiB} KiB\n`);

    // Keep SUBSCRIBERS of them (SUBSCRIBERS / STATIONS per board).
    await Promise.all(sockets.splice(SUBSCRIBERS).map((socket) => socket.close()));
    await sleep(1000);

    // 2. Push latency: the moves of MODE_SECONDS, each to the subscribers of its station's board.
    const boards = sockets.map((socket, i) => ({ socket, path: stations[i % STATIONS]!.path }));
    const latencies: number[] = [];
    const relayLatencies: number[] = [];
    const gatewayLatencies: number[] = [];
    const deliveries = new Map<string, number>(); // eventId → messages received (over all subscribers)
    let duplicates = 0;
    const pushMover = new Mover(db, stations);
    const measuring = (): LiveSocket['onNext'] => {
      const seen = new Set<string>();
      return (payload, at) => {
        const change = payload.data?.orderBoardChanged;
        const eventId = change?.eventId;
        if (!change || !eventId) return;
        const commit = pushMover.committed.get(eventId);
        if (!commit) return; // a warm-up move
        if (seen.has(eventId)) duplicates += 1;
        seen.add(eventId);
        deliveries.set(eventId, (deliveries.get(eventId) ?? 0) + 1);
        latencies.push(at - commit.at);
        const appended = Number(change.cursor.split('-')[0]); // the stream entry id: Redis's clock at XADD (ms)
        relayLatencies.push(appended - commit.at);
        gatewayLatencies.push(at - appended);
      };
    };
    // Every kept subscription receives a warm-up move of its board before the measured window.
    const warmed = new Set<LiveSocket>();
    for (const { socket } of boards) socket.onNext = () => warmed.add(socket);
    const warmBy = Date.now() + 30_000;
    while (warmed.size < boards.length) {
      if (Date.now() > warmBy) throw new Error(`live: ${warmed.size} of ${boards.length} subscribers received a warm-up move within 30 s`);
      await mover.insert(STATIONS);
      await sleep(1000);
    }
    await sleep(2000);
    for (const { socket } of boards) socket.onNext = measuring();
    let events = 0;
    await measure('live (500 board subscriptions)', async () => {
      events = await pushMover.run(EVENTS_PER_SECOND, MODE_SECONDS);
      return { requests: 0, failures: 0, messages: 0 };
    });
    // Everything the window committed reaches its subscribers within a few seconds, or is lost.
    const settleBy = Date.now() + 10_000;
    let expected = 0;
    for (const { path } of pushMover.committed.values()) {
      expected += boards.filter((board) => pathWithin(path, board.path)).length;
    }
    const deliveredCount = () => [...deliveries.values()].reduce((sum, n) => sum + n, 0);
    while (deliveredCount() < expected && Date.now() < settleBy) await sleep(200);
    modes[modes.length - 1]!.messages = deliveredCount();
    const delivered = deliveredCount();
    latencies.sort((a, b) => a - b);
    relayLatencies.sort((a, b) => a - b);
    gatewayLatencies.sort((a, b) => a - b);
    const push = {
      subscribers: boards.length,
      stations: STATIONS,
      events,
      expected,
      delivered,
      duplicates,
      lost: Math.max(0, expected - (delivered - duplicates)),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      relayP95: percentile(relayLatencies, 95),
      gatewayP95: percentile(gatewayLatencies, 95),
      pass: percentile(latencies, 95) <= GOAL_P95_MS && expected === delivered,
    };
    process.stdout.write(`live: push: ${delivered} of ${expected} messages, p50 ${push.p50} p95 ${push.p95} p99 ${push.p99} ms\n`);
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await sleep(1000);

    // 3. The same boards kept fresh by polling: SUBSCRIBERS clients, each refetching its board every POLL_MS
    // (staggered evenly), while the same moves go on; then the moves alone, without any client.
    await measure(`polling every ${POLL_MS / 1000} s (500 clients)`, async () => {
      let requests = 0;
      let failures = 0;
      let unfinished = 0;
      const latencies: number[] = [];
      const deadline = performance.now() + MODE_SECONDS * 1000;
      // Requests still unanswered at the end of the window are cut off (and counted apart), so every mode lasts as long.
      const stop = new AbortController();
      const stopTimer = setTimeout(() => stop.abort(), MODE_SECONDS * 1000);
      const moving = new Mover(db, stations).run(EVENTS_PER_SECOND, MODE_SECONDS);
      await Promise.all(
        Array.from({ length: SUBSCRIBERS }, async (_, i) => {
          const station = stations[i % STATIONS]!;
          await sleep((i * POLL_MS) / SUBSCRIBERS);
          while (performance.now() < deadline) {
            const t0 = performance.now();
            try {
              const response = await fetch(httpUrl, {
                signal: stop.signal,
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]!}` },
                body: JSON.stringify({ query: STATION_ORDERS, operationName: 'StationOrders', variables: { filter: { withinUnitId: station.id }, first: 20 } }),
              });
              const body = (await response.json()) as { errors?: unknown[] };
              if (!response.ok || body.errors) failures += 1;
              latencies.push(performance.now() - t0);
            } catch {
              if (stop.signal.aborted) {
                unfinished += 1;
                break;
              }
              failures += 1;
            }
            requests += 1;
            const wait = POLL_MS - (performance.now() - t0);
            if (wait > 0 && performance.now() + wait < deadline) await sleep(wait);
            else if (wait > 0) break;
          }
        }),
      );
      clearTimeout(stopTimer);
      await moving;
      latencies.sort((a, b) => a - b);
      return { requests, failures, messages: 0, unfinished, p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)) };
    });

    return { idle, push, modes, markdown: liveMarkdown(idle, push, modes) };
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
    await db.end();
  }
}

function liveMarkdown(idle: LiveReport['idle'], push: LiveReport['push'], modes: LiveReport['modes']): string {
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  const [none, live, polling] = modes;
  const cpuRow = (m: LiveReport['modes'][number]) =>
    `| ${m.mode} | ${m.seconds} | ${m.requests} | ${m.rps} | ${m.p50 ?? ''} | ${m.p95 ?? ''} | ${m.failures} | ${m.unfinished} | ${m.messages} | ${m.cpu.gateway} | ${m.cpu.subgraphs} | ${m.cpu.total} | ${m.load} |`;
  const net = (m: LiveReport['modes'][number] | undefined) => (m && none ? m.cpu.total - none.cpu.total : NaN);
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  const targetRps = SUBSCRIBERS / (POLL_MS / 1000);
  const atTarget = polling && polling.requests > 0 ? (net(polling) / polling.requests) * targetRps * MODE_SECONDS : NaN;
  return [
    `### live updates: idle sockets, push latency, polling`,
    '',
    `One gateway process (GATEWAY_WORKERS=1) over graphql-ws (\`ws://…/graphql\`, the \`graphql-transport-ws\` frames sent ` +
      `by a \`ws\` client in the bench process), each socket its own station admin (token in \`connection_init\`).`,
    '',
    `**Idle sockets.** ${idle.sockets} sockets opened in batches of ${OPEN_BATCH} (${idle.openSeconds} s; ${idle.limit}), each ` +
      `acknowledged (\`connection_ack\`), then one \`orderBoardChanged\` subscription each (${STATIONS} station boards; a batch counts as ` +
      `running once the gateway's \`gateway_live_subscriptions\` gauge has it, so nothing is pushed before RSS is read; subscribed in batches of ${OPEN_BATCH} in ${idle.subscribeSeconds} s, ${idle.refusals} refused and sent again). Gateway VmRSS from /proc/<pid>/status, 2 s after each step: ` +
      `resident memory, not live heap, so the subscription step also holds what the 2,000 subscribe-time \`unit(id)\` ` +
      `queries left for the GC (the gateway is not told to collect).`,
    '',
    '| gateway RSS | MiB | KiB per socket |',
    '| --- | ---: | ---: |',
    `| before | ${mib(idle.beforeKiB)} | |`,
    `| ${idle.sockets} sockets, no subscription | ${mib(idle.socketsKiB)} | ${idle.perSocketKiB} |`,
    `| ${idle.sockets} sockets, one board subscription each | ${mib(idle.subscribedKiB)} | ${Math.round(((idle.subscribedKiB - idle.beforeKiB) / idle.sockets) * 10) / 10} (subscription alone: ${idle.perSubscriptionKiB}) |`,
    '',
    `**Push latency.** ${push.subscribers} of those sockets kept (${push.subscribers / push.stations} per station board) while ` +
      `${EVENTS_PER_SECOND} order moves/s (\`order.followUp.added\` of real orders of those stations) are committed to the orders ` +
      `subgraph's outbox for ${MODE_SECONDS} s; the orders subgraph's own relay appends them to the live stream, the gateway ` +
      `reads and pushes. Latency = message received by the client − the INSERT's commit returned (one clock). It includes the ` +
      `relay's poll wait (OUTBOX_POLL_MS, 200 ms): rows inserted from outside are not nudged, whereas a mutation in the ` +
      `subgraph wakes its relay at commit, so mutations see about that much less. "commit → XADD" uses the stream entry ` +
      `id (Redis's clock at append), "XADD → client" is the gateway's part. Delivered counts every \`next\` of a measured ` +
      `move; expected = moves × the subscribers whose board covers the move.`,
    '',
    `| subscribers | moves | expected | delivered | doubled | lost | p50 ms | p95 ms | p99 ms | max ms | p95 commit → XADD | p95 XADD → client | p95 ≤ ${GOAL_P95_MS} ms, none lost |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${push.subscribers} | ${push.events} | ${push.expected} | ${push.delivered} | ${push.duplicates} | ${push.lost} | ${push.p50} | ${push.p95} | ${push.p99} | ${push.max} | ${push.relayP95} | ${push.gatewayP95} | ${push.pass ? 'pass' : 'FAIL'} |`,
    '',
    `**Polling instead.** The same ${SUBSCRIBERS} boards kept fresh by polling: each client sends \`StationOrders\` ` +
      `(\`orders(filter: { withinUnitId }, first: 20)\`, the board query of @kz/client) every ${POLL_MS / 1000} s, staggered ` +
      `(target ${SUBSCRIBERS / (POLL_MS / 1000)} req/s; a client waits for its answer before the next poll, as Apollo's \`pollInterval\` ` +
      `does), while the same moves go on (a polled board is on average ${POLL_MS / 2000} s stale). CPU = utime + stime deltas ` +
      `(/proc/<pid>/stat) of the gateway process and the five subgraph processes over each mode; "no clients" is the moves ` +
      `alone (the relay, its queues; measured first, before any socket), taken off for the net figures. One round each, in this ` +
      `order; polling last, so requests it leaves unanswered do not run into another mode.`,
    '',
    '| mode | s | HTTP requests answered | req/s | p50 ms | p95 ms | failures | cut off at the end | messages pushed | CPU s gateway | CPU s subgraphs | CPU s total | load avg (1 min) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...modes.map(cpuRow),
    '',
    live && polling
      ? `Requests saved by live updates: ${polling.requests} answered in ${polling.seconds} s (${polling.rps} req/s; the target ` +
        `was ${targetRps} req/s, ${targetRps * MODE_SECONDS} requests: ${polling.unfinished} were still unanswered at the end). ` +
        `CPU, polling / live: ${ratio(polling.cpu.total, live.cpu.total)} in all, ${ratio(net(polling), net(live))} net of the moves ` +
        `alone (polling ${net(polling).toFixed(2)} s, live ${net(live).toFixed(2)} s over ${MODE_SECONDS} s)` +
        (polling.requests > 0 && polling.rps < targetRps
          ? `; at the target rate, polling's net CPU per answered request (${((net(polling) / polling.requests) * 1000).toFixed(1)} ms) ` +
            `would come to ${atTarget.toFixed(1)} s, ${ratio(atTarget, net(live))} live's.`
          : '.')
      : '',
  ].join('\n');
}
