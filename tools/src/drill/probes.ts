import { Client } from 'pg';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';
import { escalationJobId } from '@kz/dispatch-worker';
import { QUEUES, Queues } from '@kz/events';
import type { EventSeen, QueueCounts } from './invariants';

/** One GraphQL call as a client sees it: acknowledged with an id, or failed with a code. */
export interface Outcome {
  ok: boolean;
  id?: string;
  /** `extensions.code` of the first error, `HTTP_<status>`, `NETWORK_ERROR` or `TIMEOUT`. */
  code?: string;
  ms: number;
  /** When the answer came (ms since the epoch). */
  at: number;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs an operation to the gateway with a deadline; never throws. */
export async function ask(url: string, query: string, variables: Record<string, unknown>, token: string, timeoutMs = 20_000): Promise<{ status: number; body: GraphQLBody; code?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: GraphQLBody;
    try {
      body = JSON.parse(text) as GraphQLBody;
    } catch {
      body = { errors: [{ message: text }] };
    }
    const code = body.errors?.[0]?.extensions?.code;
    return { status: response.status, body, code: typeof code === 'string' ? code : body.errors?.length ? `HTTP_${response.status}` : undefined };
  } catch (error) {
    const name = (error as Error).name;
    return { status: 0, body: {}, code: name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'NETWORK_ERROR' };
  }
}

/** A mutation whose answer is `{ <field>: { id } }`: acknowledged when it answers an id and no error. */
export async function mutate(url: string, field: string, query: string, variables: Record<string, unknown>, token: string): Promise<Outcome> {
  const started = Date.now();
  const { body, code } = await ask(url, query, variables, token);
  const id = (body.data?.[field] as { id?: unknown } | null | undefined)?.id;
  const at = Date.now();
  if (!body.errors?.length && typeof id === 'string') return { ok: true, id, ms: at - started, at };
  return { ok: false, code: code ?? 'NO_DATA', ms: at - started, at };
}

/**
 * Sends requests from `concurrency` loops for `seconds`, each loop pausing `pauseMs` between its requests (a steady
 * client load the shared machine can take, not a benchmark).
 */
export async function burst(seconds: number, concurrency: number, pauseMs: number, send: (i: number) => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const until = Date.now() + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        outcomes.push(await send((next += 1)));
        await new Promise((resolve) => setTimeout(resolve, pauseMs)); // pacing of the client load
      }
    }),
  );
  return outcomes;
}

/** Failed outcomes by code, e.g. `{ INTERNAL_SERVER_ERROR: 3 }`. */
export function failuresByCode(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) if (!outcome.ok) counts[outcome.code ?? 'UNKNOWN'] = (counts[outcome.code ?? 'UNKNOWN'] ?? 0) + 1;
  return counts;
}

/** Runs one query on a database of the platform with a short-lived connection (the server may have restarted). */
export async function sql<T = Record<string, unknown>>(config: Config, database: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ ...pgClientConfig(config, database), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export function databasesOf(config: Config): Record<string, string> {
  return {
    org: config.ORG_DATABASE,
    volunteers: config.VOLUNTEERS_DATABASE,
    orders: config.ORDERS_DATABASE,
    points: config.POINTS_DATABASE,
    notifications: config.NOTIFICATIONS_DATABASE,
  };
}

/** Unpublished outbox rows of every service database. */
export async function unpublishedEvents(config: Config): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, database] of Object.entries(databasesOf(config))) {
    const [row] = await sql<{ n: number }>(config, database, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
    out[name] = row!.n;
  }
  return out;
}

export async function storedOrders(config: Config, ids: string[]): Promise<string[]> {
  const rows = await sql<{ id: string }>(config, config.ORDERS_DATABASE, 'SELECT id::text FROM service_order WHERE id = ANY($1::bigint[])', [ids]);
  return rows.map((row) => row.id);
}

/** How many times each order was dispatched (its DISPATCHED timeline entries) and its status now. */
export async function dispatches(config: Config, ids: string[]): Promise<{ counts: Map<string, number>; notDispatched: string[] }> {
  const rows = await sql<{ id: string; n: number; status: string }>(
    config,
    config.ORDERS_DATABASE,
    `SELECT o.id::text, o.status, count(e.id)::int AS n FROM service_order o
       LEFT JOIN order_event e ON e.order_id = o.id AND e.action = 'DISPATCHED'
      WHERE o.id = ANY($1::bigint[]) GROUP BY o.id`,
    [ids],
  );
  return {
    counts: new Map(rows.filter((row) => row.n > 0).map((row) => [row.id, row.n])),
    notDispatched: rows.filter((row) => row.status !== 'DISPATCHED').map((row) => row.id),
  };
}

export async function storedRedemptions(config: Config, ids: string[]): Promise<string[]> {
  const rows = await sql<{ id: string }>(config, config.POINTS_DATABASE, `SELECT id::text FROM redemption WHERE id = ANY($1::bigint[])`, [ids]);
  return rows.map((row) => row.id);
}

/** The events the orders and points services recorded about these orders and redemptions. */
export async function eventsAbout(config: Config, orderIds: string[], redemptionIds: string[]): Promise<EventSeen[]> {
  const orders = await sql<EventSeen>(
    config,
    config.ORDERS_DATABASE,
    `SELECT id::text, type FROM outbox WHERE type IN ('order.submitted', 'order.dispatched') AND payload->>'orderId' = ANY($1::text[]) ORDER BY seq`,
    [orderIds],
  );
  const redemptions = await sql<EventSeen>(
    config,
    config.POINTS_DATABASE,
    `SELECT id::text, type FROM outbox WHERE type = 'points.redemption.reserved' AND payload->>'redemptionId' = ANY($1::text[]) ORDER BY seq`,
    [redemptionIds],
  );
  return [...orders, ...redemptions];
}

/** Which events the notification service processed, and whom each one's notifications went to. */
export async function notificationsOf(config: Config, eventIds: string[]): Promise<{ processed: Set<string>; recipients: Map<string, string[]> }> {
  const processed = await sql<{ id: string }>(
    config,
    config.NOTIFICATIONS_DATABASE,
    `SELECT event_id::text AS id FROM processed_event WHERE consumer = 'notifications.inbox' AND event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  const rows = await sql<{ id: string; person: string }>(
    config,
    config.NOTIFICATIONS_DATABASE,
    'SELECT event_id::text AS id, recipient_person_id::text AS person FROM notification WHERE event_id = ANY($1::uuid[]) ORDER BY id',
    [eventIds],
  );
  const recipients = new Map<string, string[]>();
  for (const row of rows) recipients.set(row.id, [...(recipients.get(row.id) ?? []), row.person]);
  return { processed: new Set(processed.map((row) => row.id)), recipients };
}

export async function queueCounts(queues: Queues): Promise<Record<string, QueueCounts>> {
  const out: Record<string, QueueCounts> = {};
  // Every queue has its consumer (`analytics` the analytics worker), so every one must drain.
  for (const name of QUEUES) {
    const counts = await queues.get(name).getJobCounts('waiting', 'active', 'failed', 'prioritized');
    out[name] = { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, failed: counts.failed ?? 0 };
  }
  return out;
}

/** How many of these redemptions have their expiry timer (a delayed job on `dispatch`, one per redemption by its id). */
export async function expiryTimers(queues: Queues, redemptionIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of redemptionIds) {
    const job = await queues.get('dispatch').getJob(`expiry-${id}`);
    if (job) out.set(id, 1);
  }
  return out;
}

/**
 * The orders still waiting to be accepted (DISPATCHED), and for each whether both its accept-deadline timers (the
 * institute's at the deadline, the center's after it) are pending delayed jobs with the ids the dispatch worker gives
 * them: 1 when both are, 0 otherwise.
 */
export async function deadlineTimers(config: Config, queues: Queues, orderIds: string[]): Promise<{ open: string[]; counts: Map<string, number> }> {
  const rows = await sql<{ id: string; due: string }>(
    config,
    config.ORDERS_DATABASE,
    `SELECT id::text, (EXTRACT(EPOCH FROM accept_by) * 1000)::bigint::text AS due FROM service_order WHERE id = ANY($1::bigint[]) AND status = 'DISPATCHED'`,
    [orderIds],
  );
  const counts = new Map<string, number>();
  for (const row of rows) {
    const states = await Promise.all(
      (['INSTITUTE', 'CENTER'] as const).map((level) => queues.get('dispatch').getJobState(escalationJobId(row.id, 'ACCEPT', level, Number(row.due)))),
    );
    if (states.every((state) => state === 'delayed')) counts.set(row.id, 1);
  }
  return { open: rows.map((row) => row.id), counts };
}

/** The sum of each counter (by name and `kind` label) over the `/metrics` of these ports' processes. */
export async function reconcileCounters(ports: number[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const port of ports) {
    let text = '';
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      text = response.ok ? await response.text() : '';
    } catch {
      continue; // counted as nothing; the health checks report a process that does not answer
    }
    for (const line of text.split('\n')) {
      const match = /^(reconciled_jobs_total|redis_data_loss_detected_total)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) continue;
      const kind = /kind="([^"]*)"/.exec(match[2] ?? '')?.[1];
      const key = kind ? `${match[1]}:${kind}` : match[1]!;
      out[key] = (out[key] ?? 0) + Number(match[3]);
    }
  }
  return out;
}
