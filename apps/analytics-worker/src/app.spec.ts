import { randomUUID } from 'node:crypto';
import { dropDatabase } from '@kz/db';
import { catalog, EventEnvelope, openQueueBackend, QueueBackend, QUEUES, Queues } from '@kz/events';
import { deleteKeysWithPrefix, eventually, freePort, metricSample, scrapeMetrics, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningAnalyticsWorker, startAnalyticsWorker } from './app';

let serial = 0;
function anEvent(type: 'order.followUp.added' | 'points.credited'): EventEnvelope {
  serial += 1;
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt: new Date(Date.UTC(2026, 11, 7, 8, 0, 0, serial)).toISOString(),
    actor: { personId: '7', roles: ['STATION_ADMIN'] },
    unitPath: '1/2/3',
    payload:
      type === 'points.credited'
        ? { accountId: '5', personId: '7', amount: 10, serviceRecordId: String(serial) }
        : { orderId: String(serial), note: `第${serial}次催办` },
  } as unknown as EventEnvelope;
}

const SUBSCRIPTIONS = [
  { name: 'orders-a', types: ['order.*'], maxEntries: 5000 },
  { name: 'everything-b', types: ['*'], maxEntries: 5000 },
  { name: 'idle', types: ['order.*'], maxEntries: 100 },
];

describe.each([
  ['redis', 1000],
  ['postgres', 200],
] as const)('the analytics worker on the %s queue backend', (backendKind, orderEvents) => {
  let config: ReturnType<typeof testConfig>;
  let worker: RunningAnalyticsWorker;
  let backend: QueueBackend;
  let queues: Queues;

  beforeAll(async () => {
    config = testConfig({
      QUEUE_PREFIX: uniqueQueuePrefix(),
      HOST: '127.0.0.1',
      ANALYTICS_DATABASE: uniqueName('analytics'),
      EVENT_SUBSCRIPTIONS: JSON.stringify(SUBSCRIPTIONS),
      EVENT_STREAM_TRIM_SECONDS: '3600', // the test trims when it wants to
      ...(backendKind === 'postgres' ? { QUEUE_BACKEND: 'postgres', QUEUE_DATABASE: uniqueName('queues'), REDIS_URL: `redis://127.0.0.1:${await freePort()}` } : {}),
    });
    worker = await startAnalyticsWorker(config, { port: 0 });
    backend = await openQueueBackend(config, { role: 'producer' });
    queues = new Queues(backend, config.QUEUE_PREFIX);
  });

  afterAll(async () => {
    await worker?.stop();
    await queues?.close();
    if (backend?.redis) await deleteKeysWithPrefix(backend.redis, config.QUEUE_PREFIX);
    await backend?.close();
    await dropDatabase(config, config.ANALYTICS_DATABASE);
    if (backendKind === 'postgres') await dropDatabase(config, config.QUEUE_DATABASE);
  });

  it('drains the analytics queue into the archive, every subscription getting each event it asked for once, an idle one keeping its retention', async () => {
    const orders = Array.from({ length: orderEvents }, () => anEvent('order.followUp.added'));
    const others = Array.from({ length: 10 }, () => anEvent('points.credited'));
    const events = [...orders, ...others];
    const analytics = queues.get('analytics');
    await analytics.addBulk(events.map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } })));
    // The outbox sweep re-sends an event whose job is gone (a new job, the same event id): archived once.
    await analytics.addBulk(others.map((event) => ({ name: event.type, data: event, opts: { jobId: `${event.id}-again` } })));

    const archived = async () => Number(((await worker.dataSource.query('SELECT count(*) AS n FROM event_archive')) as { n: string }[])[0]!.n);
    await eventually(async () => (await analytics.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).waiting === 0 && (await archived()) === events.length, 60_000);
    await eventually(async () => (await analytics.getJobCounts('active')).active === 0);
    expect(await archived()).toBe(events.length);
    expect(await analytics.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });

    expect((await worker.trimmer.run()).get('idle')).toBe(orderEvents - 100);
    const states = new Map((await worker.stream.subscriptions()).map((s) => [s.name, s]));
    expect(states.get('orders-a')).toMatchObject({ waiting: orderEvents, dropped: 0 });
    expect(states.get('everything-b')).toMatchObject({ waiting: events.length, dropped: 0 });
    expect(states.get('idle')).toMatchObject({ waiting: 100, dropped: orderEvents - 100 });

    // Each subscriber reads the events it asked for, in the order the queue gave them.
    const read = async (name: string) => (await worker.stream.read(name, 'test', 10_000)).map((entry) => entry.event.id);
    expect(await read('orders-a')).toEqual(orders.map((event) => event.id));
    expect(await read('everything-b')).toEqual(events.map((event) => event.id));
    expect(await read('idle')).toEqual(orders.slice(-100).map((event) => event.id));

    // The other queues of the platform never saw any of it.
    for (const queue of QUEUES.filter((name) => name !== 'analytics')) {
      expect(Object.values(await queues.get(queue).getJobCounts()).every((count) => count === 0)).toBe(true);
    }

    const metrics = await scrapeMetrics(worker.url);
    expect(metricSample(metrics, 'event_stream_dropped_entries', { subscription: 'idle' })).toBe(orderEvents - 100);
    expect(metricSample(metrics, 'event_stream_waiting_entries', { subscription: 'everything-b' })).toBe(events.length);
    expect(metricSample(metrics, 'event_archive_events_total', { added: 'new' })).toBe(events.length);
    expect(metricSample(metrics, 'event_archive_events_total', { added: 'duplicate' })).toBe(others.length);
  });

  it('reports itself ready with its database', async () => {
    const ready = (await (await fetch(`${worker.url}/ready`)).json()) as { status: string; checks: Record<string, string> };
    expect(ready).toMatchObject({ status: 'ok', checks: { 'worker:analytics': 'ok', postgres: 'ok' } });
  });
});
