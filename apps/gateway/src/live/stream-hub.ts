import type { Redis } from 'ioredis';
import { createRedis, LIVE_TOPICS, liveStreamKey, LiveTopic } from '@kz/events';
import type { Logger } from '@kz/telemetry';

/** One entry of a live stream: its stream id (the `cursor` clients resume from) and what the producer appended. */
export interface LiveEntry {
  cursor: string;
  data: Record<string, unknown>;
}

export type LiveListener = (entry: LiveEntry) => void;

const CURSOR = /^(\d{1,16})-(\d{1,16})$/;

export function isCursor(value: string): boolean {
  return CURSOR.test(value);
}

/** Orders stream ids (`ms-seq`): negative when `a` comes first. */
export function compareCursors(a: string, b: string): number {
  const [, aMs, aSeq] = CURSOR.exec(a)!;
  const [, bMs, bSeq] = CURSOR.exec(b)!;
  return Number(aMs) - Number(bMs) || Number(aSeq) - Number(bSeq);
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

function entryOf(id: string, fields: string[]): LiveEntry | null {
  const index = fields.indexOf('e');
  if (index < 0 || index + 1 >= fields.length) return null;
  try {
    return { cursor: id, data: JSON.parse(fields[index + 1]!) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/**
 * Reads every live stream with `XREAD BLOCK` from its own last id (no consumer group: every gateway process sees every
 * entry) and hands each entry to this process's listeners; also reads a stream's history for clients that resume.
 */
export class StreamHub {
  private readonly reader: Redis;
  private readonly client: Redis;
  private readonly listeners = new Map<LiveTopic, Set<LiveListener>>(LIVE_TOPICS.map((topic) => [topic, new Set()]));
  private readonly last = new Map<LiveTopic, string>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.reader = createRedis(redisUrl, 'worker');
    // Commands wait for the connection (at start, after a reconnect) but fail after a retry, so a resume never hangs.
    this.client = createRedis(redisUrl, 'producer', { enableOfflineQueue: true });
  }

  /** Starts reading after each stream's newest entry (what was appended before is history). */
  async start(): Promise<void> {
    for (const topic of LIVE_TOPICS) {
      const [newest] = (await this.client.xrevrange(this.key(topic), '+', '-', 'COUNT', 1)) as [string, string[]][];
      this.last.set(topic, newest?.[0] ?? '0-0');
    }
    this.running = true;
    this.loop = this.run();
  }

  listen(topic: LiveTopic, listener: LiveListener): () => void {
    this.listeners.get(topic)!.add(listener);
    return () => this.listeners.get(topic)!.delete(listener);
  }

  /** How many listeners a topic has now (for the gateway's `gateway_live_listeners` gauge). */
  listenerCount(topic: LiveTopic): number {
    return this.listeners.get(topic)!.size;
  }

  /**
   * The entries after `after`, oldest first, or `resync` when some of them are no longer retained (trimmed by
   * `MAXLEN ~`, or `after` older than the stream's first entry).
   */
  async history(topic: LiveTopic, after: string): Promise<{ resync: boolean; entries: LiveEntry[] }> {
    const key = this.key(topic);
    let info: unknown[];
    try {
      info = (await this.client.xinfo('STREAM', key)) as unknown[];
    } catch (error) {
      // No stream yet: nothing was ever appended, so nothing was missed. Any other failure (Redis away) is not
      // "nothing missed": it propagates, and the feed tells the client to refetch (RESYNC) instead of skipping
      // what came after `after`.
      if (/no such key/i.test((error as Error).message)) return { resync: false, entries: [] };
      throw error;
    }
    const field = (name: string) => info[info.indexOf(name) + 1];
    const first = field('first-entry') as [string, string[]] | null;
    const added = field('entries-added');
    // Something was trimmed (Redis ≥ 7 counts what was ever added; before, assume so) and it may have come after
    // `after`: `after` is older than the first entry retained. (Trimming does not move `max-deleted-entry-id`.)
    const removed = typeof added === 'number' ? added > Number(field('length')) : true;
    // The oldest entry retained, or for an emptied stream the last one ever added (all up to it are gone).
    const lastGenerated = field('last-generated-id');
    const bound = first?.[0] ?? (typeof lastGenerated === 'string' ? lastGenerated : null);
    if (removed && bound !== null && isCursor(bound) && compareCursors(after, bound) < 0) {
      return { resync: true, entries: [] };
    }
    const entries: LiveEntry[] = [];
    let from = `(${after}`;
    for (;;) {
      const page = (await this.client.xrange(key, from, '+', 'COUNT', 500)) as [string, string[]][];
      for (const [id, fields] of page) {
        const entry = entryOf(id, fields);
        if (entry) entries.push(entry);
      }
      if (page.length < 500) break;
      from = `(${page[page.length - 1]![0]}`;
    }
    return { resync: false, entries };
  }

  /** The newest cursor read from a topic's stream (what a RESYNC tells the client to resume from). */
  head(topic: LiveTopic): string {
    return this.last.get(topic) ?? '0-0';
  }

  async stop(): Promise<void> {
    this.running = false;
    this.reader.disconnect(); // ends a blocking XREAD at once
    await this.loop?.catch(() => undefined);
    this.client.disconnect();
  }

  private key(topic: LiveTopic): string {
    return liveStreamKey(this.prefix, topic);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const reply = (await this.reader.xread(
          'COUNT',
          500,
          'BLOCK',
          2000,
          'STREAMS',
          ...LIVE_TOPICS.map((topic) => this.key(topic)),
          ...LIVE_TOPICS.map((topic) => this.last.get(topic)!),
        )) as StreamReply;
        failures = 0;
        for (const [key, entries] of reply ?? []) {
          const topic = LIVE_TOPICS.find((name) => this.key(name) === key)!;
          for (const [id, fields] of entries) {
            this.last.set(topic, id);
            const entry = entryOf(id, fields);
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
      } catch (error) {
        if (!this.running) return;
        failures += 1;
        if (failures === 1 || failures % 20 === 0) this.log.warn({ err: (error as Error).message, failures }, 'live streams cannot be read yet');
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * failures, 2000)));
      }
    }
  }
}
