import type { DataSource } from 'typeorm';
import { Logger, SpanHandle, startSpan } from '@kz/telemetry';
import { isEventType } from './catalog';
import type { EventEnvelope } from './envelope';
import { appendLive, liveOrderEntry, liveTopicOf } from './live';
import { Queues } from './queues';
import { QueueName, routesFor } from './routing';

/** An outbox row as the relay and the sweep read it. */
export interface OutboxRow {
  id: string;
  type: string;
  version: number;
  occurred_at: Date;
  actor: EventEnvelope['actor'];
  unit_path: string | null;
  payload: Record<string, unknown>;
  request_id: string | null;
  /** W3C trace context of the span that wrote the event (tracing on). */
  traceparent: string | null;
}

export interface RelayOptions {
  dataSource: DataSource;
  queues: Queues;
  pollMs: number;
  batchSize: number;
  log?: Logger;
  /** How long one round may wait for Redis before it gives up and leaves the events for the next round. */
  publishTimeoutMs?: number;
  /**
   * Also appends the events clients watch live to their Redis stream (`live.ts`), capped at about `maxLen` entries.
   * Relays of one database then take turns (a transaction advisory lock), so each stream holds an aggregate's events
   * in commit order even with several replicas; without it a later batch could overtake an earlier one.
   */
  live?: { maxLen: number };
  /**
   * How long after a nudge the round starts, so that the commits of that pause go out together (default
   * `DEFAULT_GATHER_MS`). A round costs about the same for one event as for ten; this bounds how late a nudged event
   * leaves, far below `pollMs`.
   */
  gatherMs?: number;
}

/** The relay's default pause between a nudge and its round. */
export const DEFAULT_GATHER_MS = 10;

/** The advisory lock relays of one database take turns with when they feed live streams. */
const LIVE_RELAY_LOCK = 0x6b7a6c76; // 'kzlv'

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Moves committed outbox events to their BullMQ queues, in commit order, with the event id as job id so a re-send
 * is a no-op. Several relays (replicas) can run at once: each round locks its rows with SKIP LOCKED. If Redis is
 * down the rows stay unpublished and the relay backs off; nothing is lost.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  /** Shortens the current wait to `gatherMs` (a nudge). */
  private wake: (() => void) | undefined;
  /** Ends the current wait now (stop). */
  private interrupt: (() => void) | undefined;
  /** Whether a nudge came since the current round started. */
  private nudged = false;
  private failures = 0;

  constructor(private readonly options: RelayOptions) {}

  /** Publishes one batch; returns how many events were published. */
  async publishBatch(): Promise<number> {
    const { dataSource, queues, batchSize, publishTimeoutMs = 5000 } = this.options;
    let ids: string[] = [];
    // With tracing on, one producer span per event, a child of the span that wrote it; its jobs carry this span's
    // traceparent, so every consumer's span is a child of the relay's.
    const spans: SpanHandle[] = [];
    try {
      return await dataSource.transaction(async (manager) => {
        if (this.options.live) await manager.query('SELECT pg_advisory_xact_lock($1)', [LIVE_RELAY_LOCK]);
        const rows: OutboxRow[] = await manager.query(
          `SELECT id, type, version, occurred_at, actor, unit_path, payload, request_id, traceparent
             FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batchSize],
        );
        if (rows.length === 0) return 0;
        ids = rows.map((row) => row.id);
        const byQueue = new Map<QueueName, EventEnvelope[]>();
        const liveOrders: object[] = [];
        for (const row of rows) {
          if (!isEventType(row.type)) throw new Error(`outbox holds unknown event type ${row.type}`);
          const envelope = toEnvelope(row);
          const span = startSpan(`outbox.relay ${row.type}`, {
            kind: 'producer',
            traceparent: row.traceparent,
            attributes: { 'messaging.system': 'bullmq', 'messaging.message.id': row.id, 'kz.event.type': row.type },
          });
          spans.push(span);
          if (span.traceparent) envelope.traceparent = span.traceparent;
          if (this.options.live && liveTopicOf(row.type) === 'orders') liveOrders.push(liveOrderEntry(envelope));
          for (const queue of routesFor(row.type)) {
            byQueue.set(queue, [...(byQueue.get(queue) ?? []), envelope]);
          }
        }
        await withTimeout(
          Promise.all([
            ...[...byQueue].map(([queue, events]) =>
              queues.get(queue).addBulk(events.map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } }))),
            ),
            // A re-sent batch appends its entries again; subscribers' gateways drop an event id they already pushed.
            appendLive(queues.backend, queues.prefix, 'orders', liveOrders, this.options.live?.maxLen ?? 0),
          ]),
          publishTimeoutMs,
        );
        await manager.query(
          'UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)',
          [ids],
        );
        for (const span of spans) span.end();
        return rows.length;
      });
    } catch (error) {
      for (const span of spans) span.end(error);
      if (ids.length > 0) {
        const message = error instanceof Error ? error.message : String(error);
        await dataSource
          .query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)', [ids, message])
          .catch(() => undefined);
      }
      throw error;
    }
  }

  /** Events committed but not yet on their queues, and the age of the oldest (0 when none): the `/metrics` backlog. */
  async backlog(): Promise<{ unpublished: number; oldestSeconds: number }> {
    const [row] = (await this.options.dataSource.query(
      `SELECT count(*)::int AS unpublished,
              COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at)), 0)::float8 AS "oldestSeconds"
         FROM outbox WHERE published_at IS NULL`,
    )) as { unpublished: number; oldestSeconds: number }[];
    return { unpublished: row?.unpublished ?? 0, oldestSeconds: Math.max(row?.oldestSeconds ?? 0, 0) };
  }

  /** Publishes until the outbox is empty (tests and shutdown use it). */
  async drain(): Promise<number> {
    let total = 0;
    for (let published = await this.publishBatch(); published > 0; published = await this.publishBatch()) {
      total += published;
    }
    return total;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Asks for a round soon instead of at the next poll (call after a commit that wrote events). Nudges coalesce: the
   * first one of a wait starts the round after `gatherMs`, and those that follow within that pause, or while a round
   * runs, ride along, so a busy subgraph publishes its commits in rounds of many events rather than one round (five
   * statements and a Redis transaction per queue) per commit.
   */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.interrupt?.();
    await this.loop;
  }

  /**
   * Whether the outbox holds an unpublished row: one read of the partial index `outbox_unpublished_idx`, without the
   * round's transaction, advisory lock and row locks. Rows another replica holds count as pending (its round may fail).
   */
  async hasPending(): Promise<boolean> {
    const [row] = (await this.options.dataSource.query(
      'SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL) AS pending',
    )) as { pending: boolean }[];
    return row?.pending === true;
  }

  private async run(): Promise<void> {
    const gatherMs = this.options.gatherMs ?? DEFAULT_GATHER_MS;
    // The last round found nothing: the next poll asks `hasPending` first, so an idle relay costs one statement a
    // poll, not a round's four. A nudge, or a round that published, goes straight to the round.
    let idle = false;
    while (this.running) {
      const nudged = this.nudged;
      // Nudges from here on are for events this round may not see: they make the next round come soon.
      this.nudged = false;
      let delay = this.options.pollMs;
      try {
        const published: number = idle && !nudged && !(await this.hasPending()) ? 0 : await this.publishBatch();
        idle = published === 0;
        if (this.failures > 0) this.options.log?.info({ published }, 'outbox relay recovered');
        this.failures = 0;
        if (published === this.options.batchSize) delay = 0;
        else if (this.nudged) delay = Math.min(delay, gatherMs);
      } catch (error) {
        this.failures += 1;
        delay = Math.min(this.options.pollMs * 2 ** this.failures, 5000);
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.options.log?.warn({ err: (error as Error).message, failures: this.failures }, 'outbox relay cannot publish yet');
        }
      }
      if (this.running && delay > 0) {
        await new Promise<void>((resolve) => {
          let timer = setTimeout(resolve, delay);
          this.interrupt = () => {
            clearTimeout(timer);
            resolve();
          };
          this.wake = () => {
            this.wake = undefined; // the round is set; later nudges of this pause ride along
            if (delay <= gatherMs) return;
            clearTimeout(timer);
            timer = setTimeout(resolve, gatherMs);
          };
        });
        this.wake = undefined;
        this.interrupt = undefined;
      }
    }
  }
}

export function toEnvelope(row: OutboxRow): EventEnvelope {
  const envelope = {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actor: row.actor,
    unitPath: row.unit_path,
    payload: row.payload,
  } as EventEnvelope;
  if (row.request_id) envelope.requestId = row.request_id;
  if (row.traceparent) envelope.traceparent = row.traceparent;
  return envelope;
}
