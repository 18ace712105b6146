import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { catalog, createRedis, EventEnvelope, parseEnvelope, Queues } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix, eventuallyValue as eventually } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { startDispatchWorker } from './app';
import { expiryEventId, expiryJobId } from './redemption-timer';

const prefix = uniqueQueuePrefix();
const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1' });
let redis: Redis;
let queues: Queues;
let worker: RunningWorkerService;

beforeAll(async () => {
  redis = createRedis(config.REDIS_URL, 'worker');
  queues = new Queues(redis, prefix);
  worker = await startDispatchWorker(config, { port: 0 });
});

afterAll(async () => {
  await worker.stop();
  await queues.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

let serial = 0;

function redemptionEvent<T extends 'points.redemption.reserved' | 'points.redemption.fulfilled'>(
  type: T,
  redemptionId: string,
  expiresAt: Date,
): EventEnvelope<T> {
  const payload = { redemptionId, accountId: '7', rewardId: '3', quantity: 1, points: 10, stationId: '42' };
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt: new Date().toISOString(),
    actor: { personId: '7001', roles: ['RESIDENT'] },
    unitPath: '1/2/42',
    payload: type === 'points.redemption.reserved' ? { ...payload, expiresAt: expiresAt.toISOString() } : payload,
  } as EventEnvelope<T>;
}

const publish = (event: EventEnvelope) => queues.get('dispatch').add(event.type, event, { jobId: event.id });


describe('the redemption expiry timer', () => {
  it('hands the expiry to the points inbox when the pickup time is up, once however often the reservation arrives', async () => {
    serial += 1;
    const redemptionId = `9${serial}`;
    const expiresAt = new Date(Date.now() + 1500);
    await publish(redemptionEvent('points.redemption.reserved', redemptionId, expiresAt));
    await publish(redemptionEvent('points.redemption.reserved', redemptionId, expiresAt)); // a redelivery, under another id
    // The timer is set (delayed, or already fired on a slow machine); the one forwarded event below shows it fired once.
    await eventually(async () => (await queues.get('dispatch').getJobState(expiryJobId(redemptionId))) !== 'unknown' || undefined);

    const forwarded = await eventually(async () => (await queues.get('points-credit').getJob(expiryEventId(redemptionId))) ?? undefined);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    const envelope = parseEnvelope(forwarded.data);
    expect(envelope).toMatchObject({
      id: expiryEventId(redemptionId),
      type: 'points.redemption.expiryDue',
      actor: { system: 'dispatch-worker' },
      unitPath: '1/2/42',
      payload: { redemptionId, expiresAt: expiresAt.toISOString() },
    });
    // The forward adds to each routed queue at once (points-credit and analytics in no set order): wait for its copy.
    const copied = await eventually(async () => (await queues.get('analytics').getJob(envelope.id)) ?? undefined);
    expect(parseEnvelope(copied.data)).toEqual(envelope);
    expect(await queues.get('points-credit').count()).toBe(1);
  });

  it('drops the timer of a redemption picked up before its time', async () => {
    serial += 1;
    const redemptionId = `9${serial}`;
    const expiresAt = new Date(Date.now() + 3600_000);
    await publish(redemptionEvent('points.redemption.reserved', redemptionId, expiresAt));
    await eventually(async () => (await queues.get('dispatch').getJobState(expiryJobId(redemptionId))) === 'delayed' || undefined);
    const fulfilled = redemptionEvent('points.redemption.fulfilled', redemptionId, expiresAt);
    await publish(fulfilled);
    await eventually(async () => ((await queues.get('dispatch').getJobState(fulfilled.id)) === 'completed' ? true : undefined));
    expect(await queues.get('dispatch').getJobState(expiryJobId(redemptionId))).toBe('unknown');
  });

  it('derives one event id per redemption, a valid uuid', () => {
    expect(expiryEventId('12')).toBe(expiryEventId('12'));
    expect(expiryEventId('12')).not.toBe(expiryEventId('13'));
    expect(expiryEventId('12')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
