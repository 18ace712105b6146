import IORedis, { Redis, RedisOptions } from 'ioredis';

/**
 * Redis connections for BullMQ. Producers fail fast when Redis is away (the outbox keeps the events and the relay
 * tries again); workers wait for Redis forever, as BullMQ requires (`maxRetriesPerRequest: null`).
 */
export function createRedis(url: string, role: 'producer' | 'worker', extra: RedisOptions = {}): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = new IORedis(url, {
    ...options,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...extra,
  });
  // Connection errors are reported through health checks and failed operations; without a listener ioredis
  // would print every reconnect attempt as an unhandled error.
  redis.on('error', () => undefined);
  return redis;
}

/** Fails fast with a message that names the address and says how to start a server. */
export async function assertRedisReachable(url: string): Promise<void> {
  const redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const { hostname, port } = new URL(url);
    throw new Error(
      `Redis is not reachable at ${hostname}:${port || 6379} (${reason}).\n` +
        `Start one, e.g. \`redis-server --daemonize yes\` or \`docker run -p 6379:6379 redis:7\`, or point REDIS_URL at yours.`,
    );
  } finally {
    // disconnect() on a connection that already ended would leave a reconnect timer behind.
    if (redis.status !== 'end') redis.disconnect();
  }
}
