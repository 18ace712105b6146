import IORedis from 'ioredis';
import { PrivateRedis, uniqueName, uniqueQueuePrefix } from './index';

describe('test isolation helpers', () => {
  it('never hand out the same database name or queue prefix twice', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('x')));
    expect(names.size).toBe(100);
    expect(uniqueQueuePrefix()).toMatch(/^\{t_q_\d+_[0-9a-f]{8}\}$/);
  });

  it('run a private Redis that can be stopped and started again on the same port', async () => {
    const redis = await PrivateRedis.launch();
    const client = new IORedis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on('error', () => undefined);
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      await redis.stop();
      await expect(client.ping()).rejects.toThrow();
      await redis.start();
      const again = new IORedis(redis.url);
      expect(await again.ping()).toBe('PONG');
      again.disconnect();
    } finally {
      if (client.status !== 'end') client.disconnect();
      await redis.stop();
    }
  });
});
