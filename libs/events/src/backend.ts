import { createPostgresBackend, Processor, Queue, QueueEvents, QueueOptions, runMigrations, Worker, WorkerOptions } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { Pool } from 'pg';
import type { Config } from '@kz/config';
import { ensureDatabase, pgClientConfig } from '@kz/db';
import type { Logger } from '@kz/telemetry';
import { withClient } from './live-postgres';
import { assertRedisReachable, createRedis } from './redis';
import { migrateSharedTables, PostgresSharedStore, RedisSharedStore, SharedStore } from './shared-store';

export type QueueBackendKind = 'redis' | 'postgres';

/** The schema of the queue database that BullMQ's PostgreSQL backend keeps its tables in (its own default). */
export const BULLMQ_SCHEMA = 'bullmq';

/**
 * Where the platform's queues and its other shared short-lived records live (`QUEUE_BACKEND`): Redis, or the
 * PostgreSQL database `QUEUE_DATABASE` through BullMQ's PostgreSQL backend. Everything that builds a BullMQ `Queue`,
 * `Worker` or `QueueEvents`, keeps a record beside the queues (`store`) or appends to a live stream goes through it,
 * so nothing else needs to know which one runs.
 */
export interface QueueBackend {
  readonly kind: QueueBackendKind;
  /** The BullMQ key prefix (Redis only; the Postgres backend namespaces by database and schema). */
  readonly prefix: string;
  /** Counters, locks and small records shared by every process (rate limits, token cache, timer index). */
  readonly store: SharedStore;
  /** The Redis connection of a `redis` backend, for what only exists there; null on `postgres`. */
  readonly redis: Redis | null;
  /** The pool on the queue database of a `postgres` backend (live streams use it); null on `redis`. */
  readonly pool: Pool | null;
  queue(name: string, options?: Omit<QueueOptions, 'connection' | 'prefix'>): Queue;
  worker(name: string, processor: Processor, options?: Omit<WorkerOptions, 'connection' | 'prefix'>): Worker;
  queueEvents(name: string): QueueEvents;
  /** `ok`, or what is wrong (for `/health`); never waits longer than `timeoutMs`. */
  check(timeoutMs?: number): Promise<string>;
  /** Whether the store answers now (a closing worker forces its close when not). */
  available(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenQueueBackendOptions {
  /** `producer` fails fast while the store is away; `worker` waits for it (BullMQ's requirement for workers). */
  role: 'producer' | 'worker';
  /** Redis reconnect policy (e.g. stop retrying once the service is stopping). */
  retryStrategy?: RedisOptions['retryStrategy'];
  /** Checks the store answers before returning (a worker service refuses to start without it). */
  assertReachable?: boolean;
  log?: Logger;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** BullMQ and the shared records on Redis: one connection for producers and records, one for workers (lazily). */
export class RedisQueueBackend implements QueueBackend {
  readonly kind = 'redis';
  readonly store: SharedStore;
  readonly pool = null;
  private workerConnection: Redis | undefined;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    private readonly options: { url?: string; role?: 'producer' | 'worker'; retryStrategy?: RedisOptions['retryStrategy']; owned?: boolean } = {},
  ) {
    this.store = new RedisSharedStore(redis, prefix);
  }

  queue(name: string, options: Omit<QueueOptions, 'connection' | 'prefix'> = {}): Queue {
    return new Queue(name, { ...options, connection: this.redis, prefix: this.prefix });
  }

  worker(name: string, processor: Processor, options: Omit<WorkerOptions, 'connection' | 'prefix'> = {}): Worker {
    return new Worker(name, processor, { ...options, connection: this.workerRedis(), prefix: this.prefix });
  }

  queueEvents(name: string): QueueEvents {
    return new QueueEvents(name, { connection: this.workerRedis(), prefix: this.prefix });
  }

  /** Workers need a connection that waits for Redis (`maxRetriesPerRequest: null`). */
  private workerRedis(): Redis {
    if (this.redis.options.maxRetriesPerRequest === null || !this.options.url) return this.redis;
    const extra = this.options.retryStrategy ? { retryStrategy: this.options.retryStrategy } : {};
    this.workerConnection ??= createRedis(this.options.url, 'worker', extra);
    return this.workerConnection;
  }

  /** The connection workers use (closeWorkers watches it). */
  get workerClient(): Redis {
    return this.workerConnection ?? this.redis;
  }

  async check(timeoutMs = 2000): Promise<string> {
    if (this.redis.status !== 'ready') return `no connection (${this.redis.status})`;
    try {
      await withTimeout(this.redis.ping(), timeoutMs, 'Redis');
      return 'ok';
    } catch (error) {
      return `PING failed: ${(error as Error).message}`;
    }
  }

  async available(timeoutMs = 1000): Promise<boolean> {
    const client = this.workerClient;
    if (client.status !== 'ready') return false;
    return withTimeout(client.ping(), timeoutMs, 'Redis').then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    // (disconnecting a connection that already ended would leave ioredis' 2 s destroy timer behind)
    if (this.workerConnection && this.workerConnection.status !== 'end') this.workerConnection.disconnect();
    if (this.options.owned && this.redis.status !== 'end') this.redis.disconnect();
  }
}

/**
 * BullMQ's PostgreSQL backend on `QUEUE_DATABASE`: one pool per process shared by its queues and workers (each
 * worker also holds one of its connections for `LISTEN`), and the shared records in the same database.
 */
export class PostgresQueueBackend implements QueueBackend {
  readonly kind = 'postgres';
  readonly redis = null;
  readonly store: SharedStore;

  constructor(
    readonly pool: Pool,
    readonly prefix: string,
  ) {
    this.store = new PostgresSharedStore(pool);
  }

  queue(name: string, options: Omit<QueueOptions, 'connection' | 'prefix'> = {}): Queue {
    return new Queue(name, { ...options, connection: this.pool }, createPostgresBackend) as unknown as Queue;
  }

  worker(name: string, processor: Processor, options: Omit<WorkerOptions, 'connection' | 'prefix'> = {}): Worker {
    return new Worker(name, processor, { ...options, connection: this.pool }, createPostgresBackend) as unknown as Worker;
  }

  queueEvents(name: string): QueueEvents {
    return new QueueEvents(name, { connection: this.pool }, createPostgresBackend) as unknown as QueueEvents;
  }

  async check(timeoutMs = 2000): Promise<string> {
    try {
      await withTimeout(this.pool.query('SELECT 1'), timeoutMs, 'the queue database');
      return 'ok';
    } catch (error) {
      return `SELECT 1 failed: ${(error as Error).message}`;
    }
  }

  async available(timeoutMs = 1000): Promise<boolean> {
    return (await this.check(timeoutMs)) === 'ok';
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * Creates the queue database when missing and brings BullMQ's schema and the shared records' tables up to date
 * (both idempotent and safe when several processes boot at once: each takes an advisory lock).
 */
export async function migrateQueueDatabase(config: Config): Promise<void> {
  try {
    await ensureDatabase(config, config.QUEUE_DATABASE);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `QUEUE_BACKEND=postgres: cannot create or open the queue database "${config.QUEUE_DATABASE}" on ${config.PGHOST}:${config.PGPORT} ` +
        `as "${config.PGUSER}" (${reason}). Start Postgres or point PGHOST/PGPORT/PGUSER at yours, or set QUEUE_BACKEND=redis.`,
    );
  }
  const pool = new Pool({ ...pgClientConfig(config, config.QUEUE_DATABASE), max: 1 });
  pool.on('error', () => undefined); // an idle connection lost: the next checkout opens another
  try {
    await withClient(pool, async (client) => {
      await runMigrations(client, BULLMQ_SCHEMA);
      await migrateSharedTables(client);
    });
  } finally {
    await pool.end();
  }
}

/** Connections a process keeps on the queue database besides the workers' `LISTEN` connections. */
const QUEUE_POOL_BASE = 6;

/** Opens the backend `QUEUE_BACKEND` names (for `postgres`, creating and migrating its database first). */
export async function openQueueBackend(config: Config, options: OpenQueueBackendOptions): Promise<QueueBackend> {
  if (config.QUEUE_BACKEND === 'postgres') {
    await migrateQueueDatabase(config);
    const pool = new Pool({
      ...pgClientConfig(config, config.QUEUE_DATABASE),
      // Every connection resolves BullMQ's unqualified names in its schema, and the shared tables in public.
      options: `-c search_path=${BULLMQ_SCHEMA},public`,
      max: QUEUE_POOL_BASE + 6,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: options.role === 'producer' ? 5000 : 0,
    });
    pool.on('error', (error) => options.log?.warn({ err: error.message }, 'queue database connection lost'));
    // BullMQ adds an 'error' listener to a pool it is given for every Queue, Worker and QueueEvents, and keeps it after
    // their close: a subgraph with a queue per route and its consumers passes Node's default warning threshold of 10.
    pool.setMaxListeners(64);
    return new PostgresQueueBackend(pool, config.QUEUE_PREFIX);
  }
  if (options.assertReachable) await assertRedisReachable(config.REDIS_URL);
  const extra = options.retryStrategy ? { retryStrategy: options.retryStrategy } : {};
  const redis = createRedis(config.REDIS_URL, options.role, extra);
  return new RedisQueueBackend(redis, config.QUEUE_PREFIX, { url: config.REDIS_URL, role: options.role, ...extra, owned: true });
}

/** A Redis connection (the suite's harnesses pass one) or a backend, as a backend. */
export function asQueueBackend(connection: Redis | QueueBackend, prefix: string): QueueBackend {
  return 'kind' in connection && (connection.kind === 'redis' || connection.kind === 'postgres') && 'store' in connection
    ? connection
    : new RedisQueueBackend(connection as Redis, prefix);
}
