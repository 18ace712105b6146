import type { DataSource } from 'typeorm';
import { catalog, EventEnvelope, EventType } from '@kz/events';

/** A named subscription: the event types it wants and how much of a backlog it keeps for an absent consumer. */
export interface SubscriptionSpec {
  name: string;
  /** `*`, exact types (`order.closed`) or prefixes (`order.*`, `points.redemption.*`). */
  types: string[];
  /** Entries kept unacknowledged at most; the oldest beyond go (counted as dropped). */
  maxEntries: number;
  /** Entries older than this since they entered the subscription go (counted as dropped). */
  maxAgeSeconds: number;
}

export interface SubscriptionState extends SubscriptionSpec {
  /** Entries waiting (the consumer's lag), and the age of the oldest in seconds (0 when none waits). */
  waiting: number;
  oldestAgeSeconds: number;
  acked: number;
  dropped: number;
}

export interface StreamEntry {
  /** The entry's position in its subscription: acknowledge it with this. */
  pos: string;
  /** How many times it was handed out (above 1: a consumer took it before and did not acknowledge it in time). */
  deliveries: number;
  event: EventEnvelope;
}

export class InvalidSubscription extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSubscription';
  }
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const TYPES = Object.keys(catalog) as EventType[];

/** Whether `type` matches one of the patterns (the same rule as the SQL function `event_type_matches`). */
export function typeMatches(type: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** Checks a subscription's name and patterns against the event catalogue; answers the problems (none: valid). */
export function subscriptionProblems(spec: SubscriptionSpec): string[] {
  const problems: string[] = [];
  if (!NAME.test(spec.name)) problems.push(`name "${spec.name}": lower-case letters, digits, - and _, starting with a letter, at most 63`);
  if (spec.types.length === 0) problems.push('types: at least one pattern');
  for (const pattern of spec.types) {
    if (!TYPES.some((type) => typeMatches(type, [pattern]))) problems.push(`types: "${pattern}" matches no event type of the catalogue`);
  }
  if (!Number.isInteger(spec.maxEntries) || spec.maxEntries < 1) problems.push('maxEntries: a whole number of at least 1');
  if (!Number.isInteger(spec.maxAgeSeconds) || spec.maxAgeSeconds < 1) problems.push('maxAgeSeconds: a whole number of at least 1');
  return problems;
}

type SubscriptionRow = {
  name: string;
  types: string[];
  max_entries: number;
  max_age_seconds: number;
  acked: string;
  dropped: string;
  waiting: number;
  oldest_age_seconds: number;
};

/**
 * Every subscription with its lag (waiting entries, the oldest's age) and counts, through whatever runs SQL on the
 * analytics database and answers rows (the stream's data source, or the ops dashboard's read-only pool).
 */
export async function readSubscriptions(rowsOf: (sql: string) => Promise<unknown[]>): Promise<SubscriptionState[]> {
  const rows = (await rowsOf(`
    SELECT s.name, s.types, s.max_entries, extract(epoch FROM s.max_age)::int AS max_age_seconds, s.acked::text, s.dropped::text,
           count(e.pos)::int AS waiting, coalesce(extract(epoch FROM now() - min(e.entered_at)), 0)::float8 AS oldest_age_seconds
    FROM event_subscription s LEFT JOIN event_stream_entry e ON e.subscription = s.name
    GROUP BY s.name ORDER BY s.name`)) as SubscriptionRow[];
  return rows.map((row) => ({
    name: row.name,
    types: row.types,
    maxEntries: row.max_entries,
    maxAgeSeconds: row.max_age_seconds,
    waiting: row.waiting,
    oldestAgeSeconds: row.oldest_age_seconds,
    acked: Number(row.acked),
    dropped: Number(row.dropped),
  }));
}

/**
 * The event stream in the analytics database, through its SQL functions (the migration `EventStream1769000000000`
 * documents them): what the analytics worker, `npm run events:*` and the tests use, and what a consumer in another
 * language calls the same way (docs/events.md, "Consuming from analytics").
 */
export class EventStream {
  constructor(private readonly db: DataSource) {}

  /** Archives an event and copies it into every subscription that wants it; false when it was archived before. */
  async archive(event: EventEnvelope): Promise<boolean> {
    const [row] = (await this.db.query('SELECT event_archive_add($1::jsonb) AS added', [JSON.stringify(event)])) as { added: boolean }[];
    return row!.added;
  }

  /** Creates the subscription or changes its types and retention (its waiting entries stay). */
  async subscribe(spec: SubscriptionSpec): Promise<void> {
    const problems = subscriptionProblems(spec);
    if (problems.length > 0) throw new InvalidSubscription(problems.join('; '));
    await this.db.query(
      `INSERT INTO event_subscription (name, types, max_entries, max_age) VALUES ($1, $2, $3, make_interval(secs => $4))
       ON CONFLICT (name) DO UPDATE SET types = EXCLUDED.types, max_entries = EXCLUDED.max_entries, max_age = EXCLUDED.max_age`,
      [spec.name, spec.types, spec.maxEntries, spec.maxAgeSeconds],
    );
  }

  /** Removes the subscription and its waiting entries; false when there was none. */
  async unsubscribe(name: string): Promise<boolean> {
    const [, count] = (await this.db.query('DELETE FROM event_subscription WHERE name = $1', [name])) as [unknown, number];
    return count > 0;
  }

  async subscriptions(): Promise<SubscriptionState[]> {
    return readSubscriptions((sql) => this.db.query(sql));
  }

  /** Leases up to `max` of the oldest entries not leased to anyone, for `leaseSeconds`, in the order they arrived. */
  async read(subscription: string, consumer: string, max = 100, leaseSeconds = 60): Promise<StreamEntry[]> {
    const rows = (await this.db.query('SELECT pos::text, deliveries, envelope FROM event_stream_read($1, $2, $3, $4)', [
      subscription,
      consumer,
      max,
      leaseSeconds,
    ])) as { pos: string; deliveries: number; envelope: EventEnvelope }[];
    return rows.map((row) => ({ pos: row.pos, deliveries: row.deliveries, event: row.envelope }));
  }

  /** Removes handled entries from the subscription; answers how many were still there. */
  async ack(subscription: string, positions: readonly string[]): Promise<number> {
    const [row] = (await this.db.query('SELECT event_stream_ack($1, $2::bigint[]) AS n', [subscription, positions])) as { n: number }[];
    return row!.n;
  }

  /** Applies every subscription's retention; answers the entries each dropped unread now. */
  async trim(): Promise<Map<string, number>> {
    const rows = (await this.db.query('SELECT subscription, dropped::int AS dropped FROM event_stream_trim()')) as { subscription: string; dropped: number }[];
    return new Map(rows.map((row) => [row.subscription, row.dropped]));
  }

  /**
   * Copies the archived events of [since, until) that the subscription wants (and that match `types`, if given) into
   * it, in the order they occurred, under their own ids; an event still waiting there is not copied twice.
   */
  async replay(subscription: string, since: Date, until: Date, types?: string[]): Promise<number> {
    const [row] = (await this.db.query('SELECT event_stream_replay($1, $2, $3, $4) AS n', [subscription, since, until, types ?? null])) as { n: number }[];
    return row!.n;
  }
}
