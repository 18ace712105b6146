import type { Redis } from 'ioredis';
import type { Pool, PoolClient } from 'pg';

/**
 * The small records every process of the platform shares beside its queues: fixed-window counters (rate limits),
 * values with a lifetime and compare-and-delete (locks, caches, claims) and small hashes (the dispatch timers' index).
 * Keys are full names (callers put the queue prefix in front, as they always did on Redis). On Redis these are plain
 * keys; on Postgres two tables of the queue database, where an expired row counts as absent and is swept lazily.
 */
export interface SharedStore {
  /**
   * Counts one hit in the window of `key`, which starts with the first hit and lasts `windowMs`: the count so far
   * (this hit included) and the milliseconds left in the window. Atomic across processes.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  get(key: string): Promise<string | null>;
  /** Sets `key` for `ttlMs`; with `onlyIfAbsent`, only when it has no live value. Says whether it was set. */
  set(key: string, value: string, ttlMs: number, options?: { onlyIfAbsent?: boolean }): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Deletes `key` only while it holds `value` (releasing one's own lock). Says whether it did. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /**
   * Sets one field of a hash of numbers to `value` unless it holds a greater one already (the same record written
   * again, a few ms apart, must not move back), and keeps the hash at least `minTtlMs` longer (never shortening its life).
   */
  hashSetMax(key: string, field: string, value: number, minTtlMs: number): Promise<void>;
  hashGetAll(key: string): Promise<Record<string, string>>;
  hashDelete(key: string, field: string): Promise<void>;
}

/**
 * One hit in a fixed window that starts with the key's first hit: INCR and the expiry in one script, so concurrent
 * processes share one exact count. Returns the count and the milliseconds left (KEYS[1] the key, ARGV[1] the window).
 */
export const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const HASH_SET_MAX = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (not current) or tonumber(current) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

export class RedisSharedStore implements SharedStore {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number) {
    const [count, ttlMs] = (await this.redis.eval(HIT_SCRIPT, 1, key, String(windowMs))) as [number, number];
    return { count: Number(count), ttlMs: Number(ttlMs) };
  }

  get(key: string) {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlMs: number, options: { onlyIfAbsent?: boolean } = {}) {
    const reply = options.onlyIfAbsent ? await this.redis.set(key, value, 'PX', ttlMs, 'NX') : await this.redis.set(key, value, 'PX', ttlMs);
    return reply === 'OK';
  }

  async del(key: string) {
    await this.redis.del(key);
  }

  async deleteIfEquals(key: string, value: string) {
    return Number(await this.redis.eval(COMPARE_AND_DELETE, 1, key, value)) === 1;
  }

  async hashSetMax(key: string, field: string, value: number, minTtlMs: number) {
    await this.redis.eval(HASH_SET_MAX, 1, key, field, String(value), String(minTtlMs));
  }

  hashGetAll(key: string) {
    return this.redis.hgetall(key);
  }

  async hashDelete(key: string, field: string) {
    await this.redis.hdel(key, field);
  }
}

/** The shared records' tables in the queue database (idempotent; serialised by an advisory lock). */
export async function migrateSharedTables(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['kz_shared_tables']);
    await client.query(`
      CREATE TABLE IF NOT EXISTS public.shared_record (
        key text PRIMARY KEY,
        value text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS shared_record_expires ON public.shared_record (expires_at);
      CREATE TABLE IF NOT EXISTS public.shared_hash (
        key text NOT NULL,
        field text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (key, field)
      );
      CREATE TABLE IF NOT EXISTS public.shared_hash_life (
        key text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS public.live_topic (
        topic text PRIMARY KEY,
        last_ms bigint NOT NULL,
        last_seq bigint NOT NULL,
        added bigint NOT NULL
      );
      CREATE TABLE IF NOT EXISTS public.live_entry (
        topic text NOT NULL,
        ms bigint NOT NULL,
        seq bigint NOT NULL,
        entry text NOT NULL,
        PRIMARY KEY (topic, ms, seq)
      );`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** One expired-row sweep per this many writes (a sweep is one indexed DELETE). */
const SWEEP_EVERY = 500;

/**
 * The shared records in Postgres. Every operation is one statement, so the row lock of `INSERT … ON CONFLICT DO
 * UPDATE` gives the same atomicity as Redis' single-threaded scripts. Times are the server's (`clock_timestamp()`),
 * so every process agrees on when a window ends.
 */
export class PostgresSharedStore implements SharedStore {
  private writes = 0;

  constructor(private readonly pool: Pool) {}

  async hit(key: string, windowMs: number) {
    this.sweepSometimes();
    const { rows } = await this.pool.query<{ count: string; ttl_ms: string }>(
      `INSERT INTO public.shared_record AS r (key, value, expires_at)
       VALUES ($1, '1', clock_timestamp() + $2::float8 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN r.expires_at <= clock_timestamp() THEN '1' ELSE (r.value::bigint + 1)::text END,
         expires_at = CASE WHEN r.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE r.expires_at END
       RETURNING value AS count, GREATEST(1, ceil(EXTRACT(EPOCH FROM r.expires_at - clock_timestamp()) * 1000))::bigint AS ttl_ms`,
      [key, windowMs],
    );
    return { count: Number(rows[0]!.count), ttlMs: Number(rows[0]!.ttl_ms) };
  }

  async get(key: string) {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM public.shared_record WHERE key = $1 AND expires_at > clock_timestamp()',
      [key],
    );
    return rows[0]?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number, options: { onlyIfAbsent?: boolean } = {}) {
    this.sweepSometimes();
    const { rowCount } = await this.pool.query(
      `INSERT INTO public.shared_record AS r (key, value, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
       ${options.onlyIfAbsent ? 'WHERE r.expires_at <= clock_timestamp()' : ''}`,
      [key, value, ttlMs],
    );
    return rowCount === 1;
  }

  async del(key: string) {
    await this.pool.query('DELETE FROM public.shared_record WHERE key = $1', [key]);
  }

  async deleteIfEquals(key: string, value: string) {
    const { rowCount } = await this.pool.query(
      'DELETE FROM public.shared_record WHERE key = $1 AND value = $2 AND expires_at > clock_timestamp()',
      [key, value],
    );
    return rowCount === 1;
  }

  async hashSetMax(key: string, field: string, value: number, minTtlMs: number) {
    this.sweepSometimes();
    await this.pool.query(
      // A hash whose life ended is gone as a whole (as a Redis key that expired): its other fields go too.
      `WITH stale AS (
         DELETE FROM public.shared_hash h USING public.shared_hash_life l
          WHERE l.key = $1 AND h.key = $1 AND h.field <> $2 AND l.expires_at <= clock_timestamp()
       ), life AS (
         INSERT INTO public.shared_hash_life AS l (key, expires_at) VALUES ($1, clock_timestamp() + $4::float8 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET expires_at = GREATEST(
           CASE WHEN l.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE l.expires_at END, EXCLUDED.expires_at)
       )
       INSERT INTO public.shared_hash AS h (key, field, value) VALUES ($1, $2, $3)
       ON CONFLICT (key, field) DO UPDATE SET value = EXCLUDED.value WHERE h.value::numeric < EXCLUDED.value::numeric`,
      [key, field, String(value), minTtlMs],
    );
  }

  async hashGetAll(key: string) {
    const { rows } = await this.pool.query<{ field: string; value: string }>(
      `SELECT h.field, h.value FROM public.shared_hash h
         JOIN public.shared_hash_life l ON l.key = h.key AND l.expires_at > clock_timestamp()
        WHERE h.key = $1`,
      [key],
    );
    return Object.fromEntries(rows.map((row) => [row.field, row.value]));
  }

  async hashDelete(key: string, field: string) {
    await this.pool.query('DELETE FROM public.shared_hash WHERE key = $1 AND field = $2', [key, field]);
  }

  /** Deletes expired records now and then, off the caller's path (Redis expires keys itself). */
  private sweepSometimes(): void {
    this.writes += 1;
    if (this.writes % SWEEP_EVERY !== 0) return;
    void this.sweep().catch(() => undefined);
  }

  async sweep(): Promise<void> {
    await this.pool.query('DELETE FROM public.shared_record WHERE expires_at <= clock_timestamp()');
    await this.pool.query(
      `WITH gone AS (DELETE FROM public.shared_hash_life WHERE expires_at <= clock_timestamp() RETURNING key)
       DELETE FROM public.shared_hash h USING gone WHERE h.key = gone.key`,
    );
  }
}
