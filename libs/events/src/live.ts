import type { Redis } from 'ioredis';
import { asQueueBackend, QueueBackend } from './backend';
import { appendLivePostgres } from './live-postgres';
import type { EventType } from './catalog';
import type { EventEnvelope } from './envelope';

/**
 * Live streams: besides its BullMQ queues, an event clients watch live is appended to a Redis stream per topic,
 * capped at about `maxLen` entries (`XADD … MAXLEN ~`). Every gateway process reads every stream with `XREAD BLOCK`
 * from its own last id (no consumer group, so each sees everything) and pushes to its subscribers; the retention is
 * the window in which a client can resume after a disconnect (docs/api.md, "Live updates").
 */
export const LIVE_TOPICS = ['orders', 'notifications'] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** The moves of orders that subscribers see (the dispatch worker's own timers never leave its queue). */
const ORDER_LIVE_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'order.submitted',
  'order.dispatched',
  'order.accepted',
  'order.returned',
  'order.assigned',
  'order.started',
  'order.delivered',
  'order.evaluated',
  'order.closed',
  'order.cancelled',
  'order.reopened',
  'order.followUp.added',
  'order.escalated',
]);

/** The stream key of a topic, under the platform's (hash-tagged) queue prefix. */
export function liveStreamKey(prefix: string, topic: LiveTopic): string {
  return `${prefix}:live:${topic}`;
}

/** The live topic of an outbox event, or null when nobody watches it live. */
export function liveTopicOf(type: EventType): LiveTopic | null {
  return ORDER_LIVE_TYPES.has(type) ? 'orders' : null;
}

/** What an order's entry holds: the envelope without its actor and request id (never shown to subscribers). */
export interface LiveOrderEntry {
  id: string;
  type: EventType;
  occurredAt: string;
  unitPath: string | null;
  payload: Record<string, unknown>;
}

/** What a notification's entry holds: the inbox row as written, and the recipient's unread count after it. */
export interface LiveNotificationEntry {
  personId: string;
  id: string;
  kind: string;
  audience: string;
  title: string;
  body: string;
  params: Record<string, string | number>;
  link: string | null;
  urgent: boolean;
  createdAt: string;
  unreadCount: number;
}

export function liveOrderEntry(event: EventEnvelope): LiveOrderEntry {
  return { id: event.id, type: event.type, occurredAt: event.occurredAt, unitPath: event.unitPath, payload: event.payload as Record<string, unknown> };
}

/**
 * Appends entries to a topic's stream in one round trip, in the order given (on the Postgres queue backend, to its
 * live tables: `live-postgres.ts`).
 */
export async function appendLive(
  connection: Redis | QueueBackend,
  prefix: string,
  topic: LiveTopic,
  entries: readonly object[],
  maxLen: number,
): Promise<void> {
  if (entries.length === 0) return;
  const backend = asQueueBackend(connection, prefix);
  if (backend.pool) return appendLivePostgres(backend.pool, topic, entries, maxLen);
  const redis = backend.redis!;
  const key = liveStreamKey(prefix, topic);
  const pipeline = redis.pipeline();
  for (const entry of entries) pipeline.xadd(key, 'MAXLEN', '~', String(maxLen), '*', 'e', JSON.stringify(entry));
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}
