import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import type { Config } from '@kz/config';
import { createRedis, Queues } from '@kz/events';
import { eventually, PrivateRedis } from '@kz/testing';
import { verifyLedgerDatabase } from '../ledger-verify/verify';
import {
  Check,
  checkAcknowledged,
  checkExactlyOnce,
  checkLedger,
  checkNotifications,
  checkOutboxDrained,
  checkQueues,
  checkStock,
  checkThat,
} from './invariants';
import type { PrivatePostgres } from './private-postgres';
import {
  ask,
  burst,
  deadlineTimers,
  dispatches,
  eventsAbout,
  expiryTimers,
  failuresByCode,
  mutate,
  notificationsOf,
  Outcome,
  queueCounts,
  reconcileCounters,
  sql,
  storedOrders,
  storedRedemptions,
  unpublishedEvents,
} from './probes';
import type { Processes } from './processes';

/**
 * Every process of the drilled platform by name: the subgraphs, the gateway, two replicas of each scaled worker and
 * the analytics worker (one replica: it keeps each subscription in queue order), as `npm start` runs them.
 */
export const PLATFORM_PROCESSES = [
  'org',
  'volunteers',
  'orders',
  'points',
  'notifications',
  'analytics-graph',
  'gateway',
  'dispatch-1',
  'dispatch-2',
  'notification-1',
  'notification-2',
  'analytics',
];

export interface DrillContext {
  config: Config;
  processes: Processes;
  pg: PrivatePostgres;
  redis: PrivateRedis;
  queues: Queues;
  gateway: string;
  /** The demo resident 周建华's login token and person id. */
  token: string;
  residentId: string;
  /** Where the orders are placed: at 迎宾社区, so the dispatch worker routes them there. */
  location: { lat: number; lng: number };
  /** Who each event type notifies, learned from a calm run (see `learnRecipients`). */
  expected: Record<string, string[]>;
  /** Apps by process name with their `/health` and `/ready` port. */
  ports: Record<string, number>;
  log: (line: string) => void;
}

export interface DrillResult {
  name: string;
  fault: string;
  sent: number;
  acknowledged: number;
  failed: Record<string, number>;
  /** Seconds from the end of the fault to the last effect in place (null: it never recovered). */
  recoverySeconds: number | null;
  recovery: string;
  notes: string[];
  checks: Check[];
  lost: number;
  ok: boolean;
}

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id } }`;
/** Effects are given this long to appear once the fault is over; BullMQ's stalled-job check alone takes up to 60 s. */
const SETTLE_MS = 180_000;

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)); // the schedule of a fault, not a wait for an effect

export function placeOrder(ctx: DrillContext, tag: string): Promise<Outcome> {
  const input = { title: `故障演练 ${tag}`, description: '楼道垃圾堆放，请清运', category: 'ENVIRONMENT', channel: 'APP', address: '迎宾社区3栋', location: ctx.location };
  return mutate(ctx.gateway, 'placeOrder', PLACE, { input }, ctx.token);
}

export function redeem(ctx: DrillContext, rewardId: string): Promise<Outcome> {
  return mutate(ctx.gateway, 'redeemReward', REDEEM, { input: { rewardId, quantity: 1, idempotencyKey: randomUUID() } }, ctx.token);
}

/** A reward of the drill's own (goods, 1 point, a large stock), so its redemptions are the drill's. */
export async function createReward(ctx: DrillContext, name: string, stock: number): Promise<string> {
  const [row] = await sql<{ id: string }>(
    ctx.config,
    ctx.config.POINTS_DATABASE,
    `INSERT INTO reward (name, kind, price, unit_id, unit_path, stock, created_by) VALUES ($1, 'GOODS', 1, 1, '1', $2, 'drill') RETURNING id::text`,
    [name, stock],
  );
  return row!.id;
}

/** Every order the drill placed with this tag prefix that the orders database holds (acknowledged or not). */
async function ordersTagged(ctx: DrillContext, prefix: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(ctx.config, ctx.config.ORDERS_DATABASE, `SELECT id::text FROM service_order WHERE title LIKE $1 ORDER BY id`, [`故障演练 ${prefix}%`]);
  return rows.map((row) => row.id);
}

async function redemptionsOf(ctx: DrillContext, rewardId: string): Promise<{ ids: string[]; held: number }> {
  const rows = await sql<{ id: string; quantity: number; status: string }>(
    ctx.config,
    ctx.config.POINTS_DATABASE,
    'SELECT id::text, quantity, status FROM redemption WHERE reward_id = $1 ORDER BY id',
    [rewardId],
  );
  const held = rows.filter((row) => row.status === 'RESERVED' || row.status === 'FULFILLED').reduce((sum, row) => sum + row.quantity, 0);
  return { ids: rows.map((row) => row.id), held };
}

/** True once every downstream effect of these orders and redemptions is in place. */
async function effectsInPlace(ctx: DrillContext, orderIds: string[], redemptionIds: string[], withDeadlines = false): Promise<boolean> {
  const { notDispatched } = await dispatches(ctx.config, orderIds);
  if (notDispatched.length > 0) return false;
  const events = await eventsAbout(ctx.config, orderIds, redemptionIds);
  if (events.length < orderIds.length * 2 + redemptionIds.length) return false;
  const { processed } = await notificationsOf(ctx.config, events.map((event) => event.id));
  if (processed.size < events.length) return false;
  if ((await expiryTimers(ctx.queues, redemptionIds)).size !== redemptionIds.length) return false;
  if (!withDeadlines) return true;
  const { open, counts } = await deadlineTimers(ctx.config, ctx.queues, orderIds);
  return counts.size === open.length;
}

async function queuesQuiet(ctx: DrillContext): Promise<boolean> {
  return Object.values(await queueCounts(ctx.queues)).every((counts) => counts.waiting + counts.active === 0);
}

async function failedCounts(ctx: DrillContext): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await queueCounts(ctx.queues)).map(([queue, counts]) => [queue, counts.failed]));
}

/** Waits for `condition`; answers whether it came true in time. */
async function settles(condition: () => Promise<boolean>, timeoutMs = SETTLE_MS): Promise<boolean> {
  try {
    await eventually(async () => {
      try {
        return await condition();
      } catch {
        return false; // a database or Redis still coming back
      }
    }, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** The checks every drill that writes orders and redemptions ends with. */
async function downstreamChecks(
  ctx: DrillContext,
  acked: { orders: string[]; redemptions: string[] },
  all: { orders: string[]; redemptions: string[] },
  failedBefore: Record<string, number>,
  withDeadlines = false,
): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(checkAcknowledged('orders', acked.orders, await storedOrders(ctx.config, acked.orders)));
  if (acked.redemptions.length > 0 || all.redemptions.length > 0) {
    checks.push(checkAcknowledged('redemptions', acked.redemptions, await storedRedemptions(ctx.config, acked.redemptions)));
  }
  checks.push(checkExactlyOnce('orders routed (DISPATCHED)', all.orders, (await dispatches(ctx.config, all.orders)).counts));
  const events = await eventsAbout(ctx.config, all.orders, all.redemptions);
  const { processed, recipients } = await notificationsOf(ctx.config, events.map((event) => event.id));
  checks.push(checkNotifications(events, ctx.expected, processed, recipients));
  if (all.redemptions.length > 0) checks.push(checkExactlyOnce('redemption expiry timers', all.redemptions, await expiryTimers(ctx.queues, all.redemptions)));
  if (withDeadlines) {
    const { open, counts } = await deadlineTimers(ctx.config, ctx.queues, all.orders);
    checks.push(checkExactlyOnce('deadline timers (institute and center) of the open orders', open, counts));
  }
  checks.push(checkOutboxDrained(await unpublishedEvents(ctx.config)));
  checks.push(checkQueues(await queueCounts(ctx.queues), failedBefore));
  return checks;
}

async function ledgerCheck(ctx: DrillContext): Promise<Check> {
  const report = await verifyLedgerDatabase(ctx.config, ctx.config.POINTS_DATABASE);
  return checkLedger(report.violations, report.transactions);
}

function finish(partial: Omit<DrillResult, 'lost' | 'ok'>): DrillResult {
  const lost = partial.checks.reduce((sum, check) => sum + check.lost + check.duplicated, 0);
  return { ...partial, lost, ok: partial.checks.every((check) => check.ok) && partial.recoverySeconds !== null };
}

/**
 * Who each event type notifies, learned in calm conditions: one order placed and routed, one redemption, and the
 * recipients their events reached. The drills then expect the same people for the same kind of event.
 */
export async function learnRecipients(ctx: DrillContext): Promise<Record<string, string[]>> {
  const rewardId = await createReward(ctx, '演练奖品 基线', 10);
  const order = await placeOrder(ctx, 'baseline');
  const redemption = await redeem(ctx, rewardId);
  if (!order.ok || !redemption.ok) throw new Error(`the platform does not take orders or redemptions: ${order.code ?? ''} ${redemption.code ?? ''}`);
  const ready = await settles(() => effectsInPlace(ctx, [order.id!], [redemption.id!]), 60_000);
  if (!ready) throw new Error('the baseline order or redemption did not reach dispatch and notifications within 60 s');
  const events = await eventsAbout(ctx.config, [order.id!], [redemption.id!]);
  const { recipients } = await notificationsOf(ctx.config, events.map((event) => event.id));
  const expected: Record<string, string[]> = {};
  for (const event of events) expected[event.type] = [...(recipients.get(event.id) ?? [])].sort();
  return expected;
}

/**
 * Drill 1: kill -9 one of two dispatch-worker and one of two notification-worker replicas while they hold jobs in
 * flight. So that the kill surely lands mid-job, the other replicas are frozen (SIGSTOP, a few seconds, well within
 * their 30 s job locks) while the burst starts, then thawed the moment the first replicas die. BullMQ hands the
 * killed replicas' jobs to the survivors once their locks expire (stalled-job check); handlers are idempotent, so
 * every order is routed once and every notification written once.
 */
export async function workerKillDrill(ctx: DrillContext, orders = 80): Promise<DrillResult> {
  const failedBefore = await failedCounts(ctx);
  const onRedis = ctx.queues.backend.kind === 'redis';
  const connections = onRedis ? [createRedis(ctx.config.REDIS_URL, 'worker'), createRedis(ctx.config.REDIS_URL, 'worker')] : [];
  const stalled = { dispatch: 0, notifications: 0 };
  const listeners = (['dispatch', 'notifications'] as const).map((queue, i) => {
    // On the Postgres queue backend (QUEUE_BACKEND=postgres) the events come from its `event` table.
    const events = onRedis ? new QueueEvents(queue, { connection: connections[i]!, prefix: ctx.config.QUEUE_PREFIX }) : ctx.queues.backend.queueEvents(queue);
    events.on('stalled', () => (stalled[queue] += 1));
    // A lost connection (drill 4 restarts Postgres) would otherwise be printed by BullMQ as an unhandled 'error'; on
    // the Postgres backend it reaches even a closed QueueEvents, whose listener stays on the shared pool.
    events.on('error', () => undefined);
    return events;
  });
  await Promise.all(listeners.map((events) => events.waitUntilReady()));
  const notes: string[] = [];
  let killedAt = 0;
  const survivors = ['dispatch-2', 'notification-2'];
  try {
    for (const name of survivors) ctx.processes.freeze(name, true);
    // The kill: as soon as both queues have jobs in flight, which only the first replicas can hold.
    const kill = (async () => {
      const busy = await settles(async () => {
        const counts = await queueCounts(ctx.queues);
        return counts.dispatch!.active > 0 && counts.notifications!.active > 0;
      }, 60_000);
      const counts = await queueCounts(ctx.queues);
      await Promise.all([ctx.processes.signal('dispatch-1', 'SIGKILL'), ctx.processes.signal('notification-1', 'SIGKILL')]);
      killedAt = Date.now();
      for (const name of survivors) ctx.processes.freeze(name, false);
      notes.push(
        busy
          ? `kill -9 of dispatch-1 and notification-1 holding ${counts.dispatch!.active} dispatch and ${counts.notifications!.active} notification jobs in flight (dispatch-2 and notification-2 frozen until then)`
          : 'the queues never had jobs in flight at once; the replicas were killed after the burst',
      );
    })();
    let next = 0;
    const outcomes: Outcome[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < orders) {
          next += 1;
          outcomes.push(await placeOrder(ctx, `d1 #${next}`));
        }
      }),
    );
    await kill;
    const acked = outcomes.filter((o) => o.ok).map((o) => o.id!);
    const all = await ordersTagged(ctx, 'd1 ');
    const inPlace = await settles(() => effectsInPlace(ctx, all, []));
    const quiet = inPlace && (await settles(() => queuesQuiet(ctx)));
    const recoveredAt = Date.now();
    const checks = await downstreamChecks(ctx, { orders: acked, redemptions: [] }, { orders: all, redemptions: [] }, failedBefore);
    checks.push(
      checkThat(
        'jobs cut off by the kill taken over by the survivors',
        stalled.dispatch > 0 && stalled.notifications > 0,
        `stalled-job check recovered ${stalled.dispatch} dispatch and ${stalled.notifications} notification job(s)`,
      ),
    );
    checks.push(checkThat('surviving replicas kept working (healthy)', await healthy(ctx, survivors), 'dispatch-2, notification-2 /ready'));
    // Back to two replicas each for the next drills.
    await ctx.processes.restart('dispatch-1');
    await ctx.processes.restart('notification-1');
    return finish({
      name: 'worker kill -9',
      fault: `kill -9 of 1 of 2 dispatch-worker and 1 of 2 notification-worker replicas mid-batch (${orders} orders through the gateway)`,
      sent: outcomes.length,
      acknowledged: acked.length,
      failed: failuresByCode(outcomes),
      recoverySeconds: quiet ? seconds(recoveredAt - killedAt) : null,
      recovery: 'from the kill until every order is routed, every notification written and the queues are empty (BullMQ default 30 s job lock and stalled check)',
      notes,
      checks,
    });
  } finally {
    for (const name of survivors) if (ctx.processes.isRunning(name)) ctx.processes.freeze(name, false);
    await Promise.all(listeners.map((events) => events.close()));
    for (const connection of connections) connection.disconnect(); // shared with QueueEvents, which leaves them open
  }
}

/** Whether every named process runs and answers its readiness (`/ready`: its database, Redis, the gateway's subgraphs). */
async function healthy(ctx: DrillContext, names: string[]): Promise<boolean> {
  for (const name of names) {
    if (!ctx.processes.isRunning(name)) return false;
    try {
      const response = await fetch(`http://127.0.0.1:${ctx.ports[name]}/ready`, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * A burst of orders and redemptions through the gateway for `burstSeconds`, with a fault from `faultAt` s lasting
 * `faultSeconds`. Answers the outcomes and when the fault ended.
 */
async function burstWithFault(
  ctx: DrillContext,
  tag: string,
  rewardId: string,
  timing: { burstSeconds: number; faultAt: number },
  fault: () => Promise<void>,
): Promise<{ orders: Outcome[]; redemptions: Outcome[]; faultStarted: number; faultEnded: number }> {
  let faultStarted = 0;
  let faultEnded = 0;
  const faulting = (async () => {
    await delay(timing.faultAt * 1000);
    faultStarted = Date.now();
    await fault();
    faultEnded = Date.now();
  })();
  const [orders, redemptions] = await Promise.all([
    burst(timing.burstSeconds, 3, 100, (i) => placeOrder(ctx, `${tag} #${i}`)),
    burst(timing.burstSeconds, 2, 100, () => redeem(ctx, rewardId)),
  ]);
  await faulting;
  return { orders, redemptions, faultStarted, faultEnded };
}

/**
 * `count` orders through the gateway from 4 client loops, with redemptions from one more loop meanwhile; the fault
 * starts as order `faultAfter` is sent (mid-way). Answers the outcomes and when the fault ended.
 */
async function countedBurstWithFault(
  ctx: DrillContext,
  tag: string,
  rewardId: string,
  counted: { orders: number; faultAfter: number },
  fault: () => Promise<void>,
): Promise<{ orders: Outcome[]; redemptions: Outcome[]; faultStarted: number; faultEnded: number }> {
  let faultStarted = 0;
  let faultEnded = 0;
  let startFault: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (startFault = resolve));
  const faulting = (async () => {
    await reached;
    faultStarted = Date.now();
    await fault();
    faultEnded = Date.now();
  })();
  const orders: Outcome[] = [];
  const redemptions: Outcome[] = [];
  let sent = 0;
  let placing = true;
  const redeeming = (async () => {
    while (placing) {
      redemptions.push(await redeem(ctx, rewardId));
      await delay(100); // pacing of the client load
    }
  })();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sent < counted.orders) {
        sent += 1;
        if (sent === counted.faultAfter) startFault();
        orders.push(await placeOrder(ctx, `${tag} #${sent}`));
        await delay(20); // pacing of the client load
      }
    }),
  );
  placing = false;
  await redeeming;
  startFault(); // (fewer orders than faultAfter: the fault still happens)
  await faulting;
  return { orders, redemptions, faultStarted, faultEnded };
}

/** Seconds from `since` to the first acknowledged request that started after it (the clients' view of recovery). */
function firstSuccessAfter(outcomes: Outcome[], since: number): number | null {
  const after = outcomes.filter((o) => o.ok && o.at - o.ms >= since).map((o) => o.at - o.ms);
  return after.length > 0 ? seconds(Math.min(...after) - since) : null;
}

async function writeBurstDrill(
  ctx: DrillContext,
  spec: {
    name: string;
    fault: string;
    tag: string;
    burstSeconds: number;
    faultAt: number;
    run: () => Promise<void>;
    /** A set number of orders with the fault mid-way, instead of a burst of `burstSeconds` with the fault at `faultAt`. */
    counted?: { orders: number; faultAfter: number };
    /** Also wait for and check the deadline timers of the open orders. */
    deadlines?: boolean;
  },
  extraChecks: (outcomes: Outcome[]) => Promise<Check[]>,
): Promise<DrillResult> {
  const stock = 100_000;
  const rewardId = await createReward(ctx, `演练奖品 ${spec.tag}`, stock);
  const failedBefore = await failedCounts(ctx);
  const { orders, redemptions, faultStarted, faultEnded } = spec.counted
    ? await countedBurstWithFault(ctx, spec.tag, rewardId, spec.counted, spec.run)
    : await burstWithFault(ctx, spec.tag, rewardId, spec, spec.run);
  const outcomes = [...orders, ...redemptions];
  const during = outcomes.filter((o) => o.at >= faultStarted && o.at - o.ms <= faultEnded);
  const acked = { orders: orders.filter((o) => o.ok).map((o) => o.id!), redemptions: redemptions.filter((o) => o.ok).map((o) => o.id!) };
  const notes: string[] = [
    `fault lasted ${seconds(faultEnded - faultStarted)} s; ${during.length} requests in flight meanwhile: ${during.filter((o) => o.ok).length} acknowledged, ${during.filter((o) => !o.ok).length} failed`,
  ];
  // The outbox drains and the effects follow; everything stored counts, acknowledged or not.
  const drained = await settles(async () => Object.values(await unpublishedEvents(ctx.config)).every((n) => n === 0));
  notes.push(drained ? `outboxes drained ${seconds(Date.now() - faultEnded)} s after the fault ended` : 'the outboxes did not drain');
  const all = { orders: await ordersTagged(ctx, `${spec.tag} `), redemptions: (await redemptionsOf(ctx, rewardId)).ids };
  const inPlace = drained && (await settles(() => effectsInPlace(ctx, all.orders, all.redemptions, spec.deadlines)));
  const quiet = inPlace && (await settles(() => queuesQuiet(ctx)));
  const recoveredAt = Date.now();
  const unacked = all.orders.length - acked.orders.length + all.redemptions.length - acked.redemptions.length;
  if (unacked > 0) notes.push(`${unacked} write(s) committed whose answer the client did not get (stored and processed like the rest)`);
  const lastFailure = Math.max(0, ...outcomes.filter((o) => !o.ok).map((o) => o.at));
  if (lastFailure > 0) {
    const clientRecovery = firstSuccessAfter(outcomes, lastFailure);
    const offset = seconds(lastFailure - faultEnded);
    const when = offset >= 0 ? `${offset} s after` : `${-offset} s before`;
    notes.push(`last failed request answered ${when} the fault ended; ${clientRecovery === null ? 'no request succeeded after it' : `the next request started was acknowledged (${clientRecovery} s after that failure)`}`);
  }
  const checks = await downstreamChecks(ctx, acked, all, failedBefore, spec.deadlines);
  const { held } = await redemptionsOf(ctx, rewardId);
  const [reward] = await sql<{ stock: number }>(ctx.config, ctx.config.POINTS_DATABASE, 'SELECT stock FROM reward WHERE id = $1', [rewardId]);
  checks.push(checkStock(stock, reward!.stock, held));
  checks.push(await ledgerCheck(ctx));
  checks.push(...(await extraChecks(outcomes)));
  return finish({
    name: spec.name,
    fault: spec.fault,
    sent: outcomes.length,
    acknowledged: acked.orders.length + acked.redemptions.length,
    failed: failuresByCode(outcomes),
    recoverySeconds: quiet ? seconds(recoveredAt - faultEnded) : null,
    recovery: 'from the end of the fault until the outboxes are empty, every effect is in place and the queues are empty',
    notes,
    checks,
  });
}

/**
 * Drill 2: Redis is killed for 10 s during a burst of orders and redemptions. Writes go on (their events wait in the
 * outboxes, committed with them); once Redis is back the relays publish them and the workers catch up.
 */
export function redisOutageDrill(ctx: DrillContext, outageSeconds = 10): Promise<DrillResult> {
  const all = PLATFORM_PROCESSES;
  const pids = Object.fromEntries(all.map((name) => [name, ctx.processes.pid(name)]));
  return writeBurstDrill(
    ctx,
    {
      name: 'Redis down 10 s',
      fault: `Redis killed (SIGKILL) for ${outageSeconds} s during a 20 s burst of orders and redemptions through the gateway`,
      tag: 'd2',
      burstSeconds: 20,
      faultAt: 4,
      run: async () => {
        await ctx.redis.stop();
        await delay(outageSeconds * 1000);
        await ctx.redis.start();
      },
    },
    async (outcomes) => {
      const failed = outcomes.filter((o) => !o.ok).length;
      return [
        checkThat('writes accepted while Redis was down (their events wait in the outbox)', failed === 0, `${failed} of ${outcomes.length} requests failed`),
        checkThat(
          'every process reconnected without a restart',
          (await healthy(ctx, all)) && all.every((name) => ctx.processes.pid(name) === pids[name]),
          `all ${all.length} processes: same pid, /ready 200`,
        ),
      ];
    },
  );
}

/** The processes that watch the Redis marker and rebuild from Postgres: every relay (subgraph) and every worker. */
const RECONCILING = ['org', 'volunteers', 'orders', 'points', 'notifications', 'dispatch-1', 'dispatch-2', 'notification-1', 'notification-2'];

/**
 * Drills 5 and 6: Redis comes back empty mid-way through 500 orders (and redemptions meanwhile) through the gateway.
 * `nosave`: `redis-cli shutdown nosave` and the server's files deleted (a Redis without persistence, or a failover to
 * a replica that had not caught up), started again empty 10 s later. `flushall`: FLUSHALL. What Redis held is gone:
 * notification and dispatch jobs waiting, deadline and expiry timers. The relays re-send the published events whose
 * jobs are gone (outbox sweep), the workers rebuild their timers from Postgres (reconcilers), all at once because
 * the marker key is gone. Checks as drill 2, plus: every open order has its deadline timers.
 */
export function redisEmptyDrill(ctx: DrillContext, mode: 'nosave' | 'flushall', orders = 500, outageSeconds = 10): Promise<DrillResult> {
  const all = PLATFORM_PROCESSES;
  const pids = Object.fromEntries(all.map((name) => [name, ctx.processes.pid(name)]));
  const ports = RECONCILING.map((name) => ctx.ports[name]!);
  let before: Record<string, number> = {};
  return writeBurstDrill(
    ctx,
    {
      name: mode === 'nosave' ? 'Redis restarted empty' : 'Redis FLUSHALL',
      fault:
        mode === 'nosave'
          ? `Redis shut down \`nosave\` (its files deleted) for ${outageSeconds} s mid-way through ${orders} orders through the gateway (and redemptions meanwhile); started again empty`
          : `FLUSHALL mid-way through ${orders} orders through the gateway (and redemptions meanwhile)`,
      tag: mode === 'nosave' ? 'd5' : 'd6',
      burstSeconds: 0,
      faultAt: 0,
      counted: { orders, faultAfter: Math.round(orders / 2) },
      deadlines: true,
      run: async () => {
        before = await reconcileCounters(ports);
        if (mode === 'flushall') {
          await ctx.queues.connection.flushall();
          return;
        }
        await ctx.redis.shutdownEmpty();
        await delay(outageSeconds * 1000);
        await ctx.redis.start();
      },
    },
    async (outcomes) => {
      const after = await reconcileCounters(ports);
      const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
      const noticed = delta('redis_data_loss_detected_total');
      const failed = outcomes.filter((o) => !o.ok).length;
      return [
        checkThat(
          'the loss noticed by every relay and worker (marker key gone)',
          noticed === RECONCILING.length,
          `${noticed} of ${RECONCILING.length}; re-created: ${delta('reconciled_jobs_total:events')} event jobs, ${delta('reconciled_jobs_total:dispatch-timers')} dispatch timers, ${delta('reconciled_jobs_total:delivery-timers')} delivery jobs`,
        ),
        checkThat('writes accepted throughout (their events wait in the outbox)', failed === 0, `${failed} of ${outcomes.length} requests failed`),
        checkThat(
          'every process reconnected without a restart',
          (await healthy(ctx, all)) && all.every((name) => ctx.processes.pid(name) === pids[name]),
          `all ${all.length} processes: same pid, /ready 200`,
        ),
      ];
    },
  );
}

/**
 * Drill 4: the Postgres server crashes (`pg_ctl stop -m immediate`) and comes back after `downSeconds` during a burst.
 * Requests meanwhile fail with a code; nothing acknowledged is lost; every service reconnects by itself.
 */
export function postgresRestartDrill(ctx: DrillContext, downSeconds = 5): Promise<DrillResult> {
  const all = PLATFORM_PROCESSES;
  const pids = Object.fromEntries(all.map((name) => [name, ctx.processes.pid(name)]));
  return writeBurstDrill(
    ctx,
    {
      name: 'Postgres restart',
      fault: `Postgres crashed (pg_ctl stop -m immediate), down ${downSeconds} s, started again (crash recovery) during a 20 s burst`,
      tag: 'd4',
      burstSeconds: 20,
      faultAt: 4,
      run: async () => {
        await ctx.pg.stop('immediate');
        await delay(downSeconds * 1000);
        await ctx.pg.start();
      },
    },
    async (outcomes) => {
      const unclear = outcomes.filter((o) => !o.ok && o.code !== 'SERVICE_UNAVAILABLE');
      const probe = await ask(ctx.gateway, '{ unitTree(depth: 1) { nodes { depth } } myOrders(first: 1) { totalCount } myAccount { balance } unreadNotificationCount }', {}, ctx.token);
      return [
        checkThat(
          'every failed request says SERVICE_UNAVAILABLE (try again), none INTERNAL_SERVER_ERROR or cut off',
          unclear.length === 0,
          unclear.length === 0 ? 'all failures coded SERVICE_UNAVAILABLE' : `other codes: ${JSON.stringify(failuresByCode(unclear))}`,
        ),
        checkThat(
          'every process reconnected without a restart',
          (await healthy(ctx, all)) && all.every((name) => ctx.processes.pid(name) === pids[name]),
          `all ${all.length} processes: same pid, /ready 200`,
        ),
        checkThat('a query over four subgraphs answers in full', !probe.body.errors?.length && !!probe.body.data, probe.code ?? 'org, orders, points, notifications'),
      ];
    },
  );
}

const SPANNING = '{ myOrders(first: 1) { totalCount } myAccount { balance } }';

interface Readiness {
  status: number;
  notReady: string[];
  checks: Record<string, string>;
}

/** The gateway's `/ready`: its status, and what it names as not ready (status 0: no answer). */
async function gatewayReadiness(ctx: DrillContext): Promise<Readiness> {
  try {
    const response = await fetch(`http://127.0.0.1:${ctx.ports.gateway}/ready`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { notReady?: string[]; checks?: Record<string, string> };
    return { status: response.status, notReady: body.notReady ?? [], checks: body.checks ?? {} };
  } catch {
    return { status: 0, notReady: [], checks: {} };
  }
}

/**
 * Drill 3: the points subgraph is stopped. A query spanning orders and points answers the orders part and an error
 * for the account, and the gateway's `/ready` answers 503 naming `subgraph:points` (Kubernetes would stop sending
 * it traffic); once points is started again the same query answers in full and the gateway is ready again, never
 * restarted.
 */
export async function subgraphStopDrill(ctx: DrillContext, outageSeconds = 5): Promise<DrillResult> {
  const gatewayPid = ctx.processes.pid('gateway');
  const before = await ask(ctx.gateway, SPANNING, {}, ctx.token);
  const checks: Check[] = [checkThat('query answers in full before the fault', !before.body.errors?.length && !!before.body.data?.myAccount, before.code ?? 'ok')];
  const readyBefore = await settles(async () => (await gatewayReadiness(ctx)).status === 200, 30_000);
  checks.push(checkThat('the gateway is ready (/ready 200) before the fault', readyBefore, JSON.stringify(await gatewayReadiness(ctx))));
  await ctx.processes.signal('points', 'SIGTERM');
  const stoppedAt = Date.now();
  const during: Awaited<ReturnType<typeof ask>>[] = [];
  let unready: { at: number; answer: Readiness } | undefined;
  while (Date.now() - stoppedAt < outageSeconds * 1000) {
    during.push(await ask(ctx.gateway, SPANNING, {}, ctx.token));
    if (!unready) {
      const answer = await gatewayReadiness(ctx);
      if (answer.status === 503) unready = { at: Date.now(), answer };
    }
    await delay(250); // a client asking again now and then while points is away
  }
  // Not seen yet within the outage (a loaded machine): points stays down until the gateway says so, or 30 s.
  if (!unready) {
    await settles(async () => {
      const answer = await gatewayReadiness(ctx);
      if (answer.status === 503) unready = { at: Date.now(), answer };
      return !!unready;
    }, 30_000);
  }
  checks.push(
    checkThat(
      'the gateway went unready (/ready 503) naming the points subgraph alone',
      !!unready && JSON.stringify(unready.answer.notReady) === JSON.stringify(['subgraph:points']),
      unready ? `${seconds(unready.at - stoppedAt)} s after points stopped: ${JSON.stringify(unready.answer.notReady)} (${unready.answer.checks['subgraph:points']})` : 'never',
    ),
  );
  const partial = during.filter((r) => {
    const data = r.body.data as { myOrders?: { totalCount?: number } | null; myAccount?: unknown } | null | undefined;
    const accountError = r.body.errors?.some((error) => error.path?.[0] === 'myAccount' && error.extensions?.code === 'SERVICE_UNAVAILABLE') ?? false;
    return typeof data?.myOrders?.totalCount === 'number' && data.myAccount === null && accountError;
  });
  const failed: Record<string, number> = {};
  for (const error of during.flatMap((r) => r.body.errors ?? [])) {
    const code = String(error.extensions?.code ?? 'none');
    failed[code] = (failed[code] ?? 0) + 1;
  }
  const codes = Object.keys(failed);
  checks.push(checkThat('partial data (myOrders) plus a SERVICE_UNAVAILABLE error at myAccount while points is down', partial.length === during.length, `${partial.length}/${during.length} answers; error code(s): ${codes.join(', ')}`));
  const restartAt = Date.now();
  await ctx.processes.restart('points');
  const upAt = Date.now();
  let fullAt = 0;
  const recovered = await settles(async () => {
    const r = await ask(ctx.gateway, SPANNING, {}, ctx.token);
    const ok = !r.body.errors?.length && !!r.body.data?.myAccount;
    if (ok) fullAt = Date.now();
    return ok;
  }, 60_000);
  checks.push(checkThat('the same query answers in full after points is back', recovered, recovered ? `${seconds(fullAt - upAt)} s after points was healthy` : 'never'));
  let readyAt = 0;
  const readyAgain = await settles(async () => {
    const ok = (await gatewayReadiness(ctx)).status === 200;
    if (ok) readyAt = Date.now();
    return ok;
  }, 60_000);
  checks.push(checkThat('the gateway is ready again (/ready 200) after points is back', readyAgain, readyAgain ? `${seconds(readyAt - upAt)} s after points was up` : 'never'));
  checks.push(checkThat('the gateway was not restarted', ctx.processes.pid('gateway') === gatewayPid, `gateway pid ${gatewayPid}`));
  return finish({
    name: 'subgraph stopped',
    fault: `points subgraph stopped (SIGTERM) for ${outageSeconds} s and started again; gateway untouched`,
    sent: during.length,
    acknowledged: partial.length,
    failed,
    recoverySeconds: recovered ? seconds(fullAt - restartAt) : null,
    recovery: 'from starting points again (boot included) to the first full answer through the same gateway',
    notes: [
      `the gateway's /ready while points was down: \`${JSON.stringify(unready?.answer ?? null)}\``,
      `points was down ${seconds(restartAt - stoppedAt)} s; ${during.length} queries sent meanwhile, each answered with the orders part (counted as acknowledged) and an error for the account`,
      `an answer while points was down: \`${JSON.stringify(during[0]?.body).slice(0, 400)}\``,
    ],
    checks,
  });
}
