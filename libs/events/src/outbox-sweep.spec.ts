import { Registry } from 'prom-client';
import { createReconcileMetrics } from '@kz/telemetry';
import { deleteKeysWithPrefix, eventually, PrivateRedis } from '@kz/testing';
import { closeWorkers, createEventWorker, createRedis, handleOnce, OutboxRelay, OutboxSweep, Queues, ReconcileLoop, recordEvent, routesFor } from './index';
import { useOutboxHarness } from './testing/outbox-harness';
import type { EventEnvelope } from './index';

/**
 * Events until consumed (issue 22): published outbox rows are kept for a window and sent again where Redis lost their
 * jobs; consumers record the event ids they processed, so a re-send of an event that had arrived is a no-op.
 */
const actor = { personId: 'p-1', roles: ['CENTER_ADMIN'] };
const HOUR = 3600_000;

const h = useOutboxHarness('sweep');
const { config } = h;

function unitCreated(n: number): Promise<EventEnvelope> {
  return h.dataSource.transaction((manager) =>
    recordEvent(manager, {
      type: 'org.unit.created',
      actor,
      unitPath: `1/2/${n}`,
      payload: { unitId: String(n), code: `KZ-T-${n}`, level: 'STATION', parentId: '2', name: `站点${n}`, path: `1/2/${n}` },
    }),
  );
}

const sweepOf = (q: Queues, graceMs = 0) => new OutboxSweep({ dataSource: h.dataSource, queues: q, windowMs: HOUR, graceMs, batchSize: 2 });
const relayOf = (q: Queues) => new OutboxRelay({ dataSource: h.dataSource, queues: q, pollMs: 50, batchSize: 100 });
const ROUTES = routesFor('org.unit.created').length; // volunteers-inbox, orders-inbox, points-credit, analytics

describe('the outbox sweep', () => {
  it('sends again the published events whose jobs Redis lost, once, and a consumer that had one already does nothing', async () => {
    const events = [await unitCreated(1), await unitCreated(2), await unitCreated(3)];
    await relayOf(h.queues).drain();
    // The first event had reached the volunteers service before Redis lost everything.
    await handleOnce(h.dataSource, 'volunteers', events[0]!, async () => undefined);
    await deleteKeysWithPrefix(h.redis, h.prefix);

    const sweep = sweepOf(h.queues);
    expect(await sweep.run('redis-loss')).toBe(events.length * ROUTES);
    for (const event of events) {
      for (const queue of routesFor(event.type)) expect((await h.queues.get(queue).getJob(event.id))?.data).toEqual(event);
    }
    expect(await sweep.run('redis-loss')).toBe(0); // every job there now

    const applied: string[] = [];
    const connection = createRedis(config.REDIS_URL, 'worker');
    const worker = createEventWorker({
      queue: 'volunteers-inbox',
      connection,
      prefix: h.prefix,
      handlers: { 'org.unit.created': (event) => handleOnce(h.dataSource, 'volunteers', event, async () => void applied.push(event.id)).then(() => undefined) },
    });
    try {
      await eventually(async () => (await h.queues.get('volunteers-inbox').getJobCounts('completed')).completed === events.length);
    } finally {
      await closeWorkers([worker], connection);
      connection.disconnect();
    }
    expect(applied.sort()).toEqual([events[1]!.id, events[2]!.id].sort());
  });

  it('checks each row published since its last run once it is past the grace period, and prunes rows older than the window', async () => {
    const sweep = sweepOf(h.queues);
    const old = await unitCreated(1);
    await relayOf(h.queues).drain();
    expect(await sweep.run('start')).toBe(0);

    const fresh = await unitCreated(2);
    await relayOf(h.queues).drain();
    await h.queues.get('volunteers-inbox').remove(fresh.id); // lost in a failover
    await h.queues.get('volunteers-inbox').remove(old.id); // checked already by the start run: not looked at again
    expect(await sweep.run('interval')).toBe(1);
    expect(await h.queues.get('volunteers-inbox').getJob(fresh.id)).toBeDefined();
    expect(await h.queues.get('volunteers-inbox').getJob(old.id)).toBeUndefined();

    // Within the grace period a row is left for a later run.
    const graced = sweepOf(h.queues, HOUR);
    expect(await graced.run('start')).toBe(1); // a start looks at the whole window (the old row's job is gone)
    const recent = await unitCreated(3);
    await relayOf(h.queues).drain();
    await h.queues.get('analytics').remove(recent.id);
    expect(await graced.run('interval')).toBe(0);

    await h.dataSource.query(`UPDATE outbox SET published_at = now() - interval '2 hours' WHERE id = $1`, [old.id]);
    await sweep.run('interval');
    const left: { id: string }[] = await h.dataSource.query('SELECT id FROM outbox ORDER BY seq');
    expect(left.map((row) => row.id)).toEqual([fresh.id, recent.id]);
  });

  it('re-sends at once when Redis restarts empty: the marker key is gone', async () => {
    const server = await PrivateRedis.launch(); // no persistence: a restart comes back empty
    const producer = createRedis(server.url, 'producer');
    const own = new Queues(producer, h.prefix);
    const registry = new Registry();
    const metrics = createReconcileMetrics(registry);
    const loop = new ReconcileLoop({ tasks: [sweepOf(own, HOUR)], connection: producer, prefix: h.prefix, intervalMs: HOUR, lossCheckMs: 100, metrics });
    try {
      await loop.start();
      await loop.idle();
      const event = await unitCreated(1);
      await relayOf(own).drain();
      await server.stop();
      await server.start();
      await eventually(async () => !!(await own.get('orders-inbox').getJob(event.id).catch(() => undefined)));
      await loop.idle();
      expect((await metrics.redisLosses.get()).values[0]?.value).toBe(1);
      const runs = (await metrics.runs.get()).values.filter((sample) => sample.labels.trigger === 'redis-loss');
      expect(runs.map((sample) => sample.value)).toEqual([1]);
      expect((await metrics.recreated.get()).values[0]?.value).toBe(ROUTES);
    } finally {
      await loop.stop();
      await own.close();
      producer.disconnect();
      await server.destroy();
    }
  });
});
