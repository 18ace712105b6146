import { eventuallyValue, metricSample, scrapeMetrics } from '@kz/testing';
import type { RunningNotificationWorker } from './app';
import { anEvent, Harness } from './testing/harness';
import { anOrder, P } from './testing/world';

/**
 * Timers from the database (issue 22): an unsent delivery's due time is `delivery.next_attempt_at`; its delayed job is
 * a cache the worker rebuilds, with the same id, when Redis lost it (played by deleting every key of the run's prefix
 * in one DEL, as FLUSHALL does to it, the marker key included).
 */
describe('the delivery reconciler', () => {
  let harness: Harness;
  let worker: RunningNotificationWorker;
  /** 23:00 in Kaizhou (15:00 UTC): quiet hours hold the SMS until 07:00. */
  const offset = Date.parse('2026-11-27T15:00:00Z') - Date.now();

  beforeAll(async () => {
    harness = await Harness.start({ QUIET_HOURS: '22:00-07:00', REDIS_LOSS_CHECK_SECONDS: '1' }, { now: () => Date.now() + offset });
    worker = await harness.replica();
  });

  afterAll(() => harness?.stop());

  async function emptyRedis(): Promise<void> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await harness.redis.scan(cursor, 'MATCH', `${harness.config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length > 0) await harness.redis.del(...keys);
  }

  const rebuilt = async () => metricSample(await scrapeMetrics(worker.url), 'reconciled_jobs_total', { kind: 'delivery-timers' }) ?? 0;

  it('re-creates the delayed job of a held SMS once Redis lost it, with the same id and due time, and only once', async () => {
    const order = anOrder(harness.fake);
    const event = anEvent('order.dispatched', { orderId: order.id, stationId: '123' }, { actor: { personId: P.dispatcher, roles: ['DISPATCHER'] } });
    await harness.publish(event);
    const held = await eventuallyValue(async () => (await harness.deliveriesOf(event.id)).find((row) => row.status === 'SCHEDULED'));
    const jobId = `delivery-${held.id}-${held.revision}`;
    // The worker adds the delayed job just after the row commits: wait for the job itself, not only the row.
    const before = await eventuallyValue(async () => (await harness.queues.get('notifications').getJob(jobId)) ?? undefined);
    expect(await before.getState()).toBe('delayed');
    const count = await rebuilt();

    await emptyRedis();
    const again = await eventuallyValue(async () => (await harness.queues.get('notifications').getJob(jobId)) ?? undefined);
    expect(await again.getState()).toBe('delayed');
    expect(again.data).toMatchObject({ type: 'notification.delivery.due', payload: { deliveryId: held.id, revision: held.revision, dueAt: held.next_attempt_at.toISOString() } });
    await eventuallyValue(async () => ((await rebuilt()) === count + 1 ? true : undefined));

    await worker.reconciler!.trigger('redis-loss');
    expect(await rebuilt()).toBe(count + 1);
    expect((await harness.queues.get('notifications').getJobCounts('delayed')).delayed).toBe(1);
  });
});
