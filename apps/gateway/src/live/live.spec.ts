import IORedis from 'ioredis';
import { appendLive, liveStreamKey } from '@kz/events';
import { createLogger } from '@kz/telemetry';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix } from '@kz/testing';
import { OrderMemory } from './changes';
import { PushQueue } from './push-queue';
import { compareCursors, LiveEntry, StreamHub } from './stream-hub';

const config = testConfig();
const log = createLogger('gateway-test', 'silent');
const prefix = uniqueQueuePrefix();
const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
const hubs: StreamHub[] = [];

afterAll(async () => {
  for (const hub of hubs) await hub.stop();
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

const order = (id: string, type: string, unitPath: string | null) => ({ id, type, occurredAt: new Date().toISOString(), unitPath, payload: { orderId: 'o-1' } });

describe('the live streams (real Redis)', () => {
  it('give a resuming reader the entries after its cursor, and resync once entries past it were trimmed', async () => {
    const hub = new StreamHub(config.REDIS_URL, prefix, log);
    hubs.push(hub);
    await hub.start();
    expect(await hub.history('orders', '0-0')).toEqual({ resync: false, entries: [] }); // no stream yet

    const received: LiveEntry[] = [];
    const arrived = new Promise<void>((resolve) => hub.listen('orders', (entry) => received.push(entry) === 3 && resolve()));
    await appendLive(redis, prefix, 'orders', [order('e1', 'order.submitted', '1/2'), order('e2', 'order.dispatched', '1/2/5'), order('e3', 'order.accepted', '1/2/5')], 1000);
    await arrived;
    expect(received.map((entry) => entry.data.id)).toEqual(['e1', 'e2', 'e3']);
    expect(compareCursors(received[0]!.cursor, received[1]!.cursor)).toBeLessThan(0);

    const after = await hub.history('orders', received[0]!.cursor);
    expect(after.resync).toBe(false);
    expect(after.entries.map((entry) => entry.data.id)).toEqual(['e2', 'e3']);

    await redis.xtrim(liveStreamKey(prefix, 'orders'), 'MAXLEN', 1);
    expect(await hub.history('orders', received[0]!.cursor)).toEqual({ resync: true, entries: [] });
    // From the oldest entry retained on, nothing was missed.
    expect(await hub.history('orders', received[2]!.cursor)).toEqual({ resync: false, entries: [] });
  });
});

describe('the order memory', () => {
  it('keeps the status through moves that keep it, remembers where the order was, and drops a re-sent event', () => {
    const memory = new OrderMemory();
    const entry = (cursor: string, data: object) => ({ cursor, data: data as Record<string, unknown> });
    expect(memory.accept(entry('1-0', order('e1', 'order.accepted', '1/2/5')))).toMatchObject({ status: 'ACCEPTED', previousUnitPath: null });
    expect(memory.accept(entry('2-0', order('e2', 'order.assigned', '1/2/5')))).toMatchObject({ status: 'ACCEPTED', previousUnitPath: '1/2/5' });
    expect(memory.accept(entry('3-0', order('e2', 'order.assigned', '1/2/5')))).toBeNull();
    expect(memory.accept(entry('4-0', order('e4', 'order.returned', '1/2')))).toMatchObject({ status: 'SUBMITTED', previousUnitPath: '1/2/5' });
  });
});

describe('the push queue of a subscription', () => {
  it('hands out pushed values in order and runs its clean-up once when returned', async () => {
    let ended = 0;
    const queue = new PushQueue<number>(() => (ended += 1));
    queue.push(1);
    const first = queue.next();
    const second = queue.next();
    queue.push(2);
    expect([(await first).value, (await second).value]).toEqual([1, 2]);
    await queue.return();
    await queue.return();
    expect(ended).toBe(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});
