import { Client, Pool } from 'pg';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';
import { LIVE_CHANNEL, LIVE_TOPICS, LiveTopic, liveTopicInfo, migrateQueueDatabase, readLiveAfter } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { compareCursors, isCursor, LiveEntry, LiveListener } from './stream-hub';

/** What the live part needs of a hub, on either queue backend. */
export interface LiveHub {
  start(): Promise<void>;
  listen(topic: LiveTopic, listener: LiveListener): () => void;
  listenerCount(topic: LiveTopic): number;
  history(topic: LiveTopic, after: string): Promise<{ resync: boolean; entries: LiveEntry[] }>;
  head(topic: LiveTopic): string;
  stop(): Promise<void>;
}

/** Without a NOTIFY (one lost while the LISTEN connection was being rebuilt), the tables are read this often anyway. */
const POLL_MS = 2000;
const PAGE = 500;

function entryOf(cursor: string, raw: string): LiveEntry | null {
  try {
    return { cursor, data: JSON.parse(raw) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/**
 * `StreamHub` on the Postgres queue backend (QUEUE_BACKEND=postgres): the live tables of the queue database
 * (`@kz/events` live-postgres.ts), read from this process's own last cursor per topic, woken by `LISTEN kz_live`, with
 * the same `ms-seq` cursors, history and resync rules as the Redis streams.
 */
export class PostgresStreamHub implements LiveHub {
  private readonly pool: Pool;
  private listener: Client | undefined;
  private readonly listeners = new Map<LiveTopic, Set<LiveListener>>(LIVE_TOPICS.map((topic) => [topic, new Set()]));
  private readonly last = new Map<LiveTopic, string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.pool = new Pool({ ...pgClientConfig(config, config.QUEUE_DATABASE), max: 3, idleTimeoutMillis: 10_000 });
    this.pool.on('error', () => undefined); // reported by the failing reads
  }

  async start(): Promise<void> {
    await migrateQueueDatabase(this.config);
    for (const topic of LIVE_TOPICS) {
      const info = await liveTopicInfo(this.pool, topic);
      this.last.set(topic, info?.last ?? '0-0');
    }
    await this.connectListener();
    this.running = true;
    this.loop = this.run();
  }

  listen(topic: LiveTopic, listener: LiveListener): () => void {
    this.listeners.get(topic)!.add(listener);
    return () => this.listeners.get(topic)!.delete(listener);
  }

  listenerCount(topic: LiveTopic): number {
    return this.listeners.get(topic)!.size;
  }

  async history(topic: LiveTopic, after: string): Promise<{ resync: boolean; entries: LiveEntry[] }> {
    const info = await liveTopicInfo(this.pool, topic);
    if (!info) return { resync: false, entries: [] };
    const removed = info.added > info.length;
    const bound = info.first ?? info.last;
    if (removed && bound !== null && isCursor(bound) && compareCursors(after, bound) < 0) return { resync: true, entries: [] };
    const entries: LiveEntry[] = [];
    let from = after;
    for (;;) {
      const page = await readLiveAfter(this.pool, topic, from, PAGE);
      for (const row of page) {
        const entry = entryOf(row.cursor, row.entry);
        if (entry) entries.push(entry);
      }
      if (page.length < PAGE) break;
      from = page[page.length - 1]!.cursor;
    }
    return { resync: false, entries };
  }

  head(topic: LiveTopic): string {
    return this.last.get(topic) ?? '0-0';
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async connectListener(): Promise<void> {
    const client = new Client(pgClientConfig(this.config, this.config.QUEUE_DATABASE));
    client.on('notification', () => this.nudge());
    client.on('error', (error) => {
      this.log.warn({ err: error.message }, 'live LISTEN connection lost; reading the tables by polling until it is back');
      if (this.listener === client) this.listener = undefined;
    });
    await client.connect();
    await client.query(`LISTEN ${LIVE_CHANNEL}`);
    this.listener = client;
  }

  private nudge(): void {
    this.pending = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.listener) await this.connectListener();
        this.pending = false;
        let full = false;
        for (const topic of LIVE_TOPICS) {
          const page = await readLiveAfter(this.pool, topic, this.last.get(topic)!, PAGE);
          if (page.length === PAGE) full = true;
          for (const row of page) {
            this.last.set(topic, row.cursor);
            const entry = entryOf(row.cursor, row.entry);
            if (!entry) continue;
            for (const listener of this.listeners.get(topic)!) {
              try {
                listener(entry);
              } catch (error) {
                this.log.error({ err: (error as Error).message, topic }, 'live listener failed');
              }
            }
          }
        }
        failures = 0;
        if (full || this.pending) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      } catch (error) {
        if (!this.running) return;
        failures += 1;
        if (failures === 1 || failures % 20 === 0) this.log.warn({ err: (error as Error).message, failures }, 'live streams cannot be read yet');
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * failures, 2000)));
      }
    }
  }
}
