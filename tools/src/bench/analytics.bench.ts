import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { startAnalyticsWorker } from '@kz/analytics-worker';
import type { Config } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { catalog, createRedis, EventEnvelope } from '@kz/events';
import { deleteKeysWithPrefix } from '@kz/testing';
import { withCpu } from './cpu';
import { Comparison, LoadResult, median, percentile } from './load';
import type { BenchOptions } from './unit-tree.bench';

/** Subscriptions of the run: everything, one kind, and one that takes nothing of these events. */
const SUBSCRIPTIONS = [
  { name: 'warehouse', types: ['*'], maxEntries: 1_000_000, maxAgeSeconds: 3600 },
  { name: 'orders', types: ['order.*'], maxEntries: 1_000_000, maxAgeSeconds: 3600 },
  { name: 'points', types: ['points.*'], maxEntries: 1_000_000, maxAgeSeconds: 3600 },
];

/** An order follow-up, as the orders relay would put it on the `analytics` queue. */
function followUp(): EventEnvelope<'order.followUp.added'> {
  return {
    id: randomUUID(),
    type: 'order.followUp.added',
    version: catalog['order.followUp.added'].version,
    occurredAt: new Date().toISOString(),
    actor: { system: 'bench' },
    unitPath: '1/2/3',
    payload: { orderId: '1', note: '请尽快上门' },
  };
}

/** Puts jobs on a paused queue, releases them together, and says when that was. */
async function release(queue: Queue, count: number): Promise<number> {
  await queue.pause();
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, followUp);
    await queue.addBulk(batch.map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } })));
  }
  const started = performance.now();
  await queue.resume();
  return started;
}

async function until(done: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10)); // poll interval; rounds last seconds
  }
}


/** The round's rate from release, and each job's own processing time (ms) from the completed jobs. */
async function rate(name: string, queue: Queue, count: number, started: number): Promise<LoadResult> {
  const rps = Math.round(count / ((performance.now() - started) / 1000));
  const times = (await queue.getJobs(['completed'], 0, count - 1)).map((job) => (job.finishedOn ?? 0) - (job.processedOn ?? 0)).sort((a, b) => a - b);
  return { name, requests: count, rps, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), failures: 0 };
}

/**
 * Events per second through the analytics worker (in the bench process, one job at a time as it runs): each
 * `analytics` job archived (the month's partition, the archive row) and copied into the two of three subscriptions
 * that want it, in one SQL call; against a bare BullMQ worker doing nothing with as many jobs at the same concurrency,
 * same Redis, alternating rounds.
 */
export async function analyticsBenchmark(config: Config, options: BenchOptions): Promise<Comparison> {
  const prefixes = { worker: `{kz-bench-analytics-${process.pid}}`, noop: `{kz-bench-analytics-noop-${process.pid}}` };
  const database = `bench_analytics_${process.pid}`;
  const redis = createRedis(config.REDIS_URL, 'worker');
  const queues = { worker: new Queue('analytics', { connection: redis, prefix: prefixes.worker }), noop: new Queue('analytics', { connection: redis, prefix: prefixes.noop }) };
  const worker = await startAnalyticsWorker(
    { ...config, LOG_LEVEL: 'warn', QUEUE_PREFIX: prefixes.worker, ANALYTICS_DATABASE: database, EVENT_SUBSCRIPTIONS: SUBSCRIPTIONS },
    { port: 0 },
  );
  const noopConnection = createRedis(config.REDIS_URL, 'worker');
  const noop = new Worker('analytics', async () => undefined, { connection: noopConnection, prefix: prefixes.noop, concurrency: 1, removeOnComplete: { age: 24 * 3600, count: 10_000 } });
  noop.on('error', () => undefined);
  const archived = async () => Number(((await worker.dataSource.query('SELECT count(*) AS n FROM event_archive')) as { n: string }[])[0]!.n);

  async function throughWorker(count: number): Promise<LoadResult> {
    const before = await archived();
    const started = await release(queues.worker, count);
    await until(async () => (await archived()) >= before + count, 'the analytics worker', 300_000);
    const result = await rate('analytics-worker', queues.worker, count, started);
    await queues.worker.clean(0, 2 * count, 'completed');
    return { ...result, failures: (await queues.worker.getJobCounts('failed')).failed! };
  }

  async function throughNoop(count: number): Promise<LoadResult> {
    const started = await release(queues.noop, count);
    await until(async () => (await queues.noop.getJobCounts('completed')).completed! >= count, 'the no-op worker', 120_000);
    const result = await rate('no-op', queues.noop, count, started);
    await queues.noop.clean(0, 2 * count, 'completed');
    return result;
  }

  try {
    const warm = await throughWorker(200);
    await throughNoop(200);
    const count = Math.max(200, Math.min(10_000, Math.round(warm.rps * options.seconds)));
    const runs: Record<'worker' | 'noop', LoadResult[]> = { worker: [], noop: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      runs.noop.push(await withCpu(() => throughNoop(count)));
      runs.worker.push(await withCpu(() => throughWorker(count)));
    }
    process.stdout.write(`analytics: ${median(runs.worker).rps}/s against ${median(runs.noop).rps}/s\n`);
    return {
      title: 'analytics: events archived and fanned out per second',
      note:
        `Batches of ${count} events released at once on the \`analytics\` queue to the analytics worker (in the bench process, ` +
        `one job at a time, as it runs so that each subscription sees an aggregate's events in order): the archive row in its ` +
        `month's partition and a copy into each of the ${SUBSCRIPTIONS.length - 1} of ${SUBSCRIPTIONS.length} subscriptions that ` +
        `want the event, one SQL call; against a bare BullMQ worker doing nothing with as many jobs, concurrency 1, same Redis, ` +
        `alternating rounds. req/s = events archived per second from release; latencies = each job's own processing time (ms).`,
      latenciesComparable: true,
      results: [
        { label: 'analytics worker (c=1)', runs: runs.worker },
        { label: 'no-op BullMQ worker (c=1)', runs: runs.noop },
      ],
    };
  } finally {
    await noop.close();
    noopConnection.disconnect();
    await worker.stop();
    await queues.worker.close();
    await queues.noop.close();
    await deleteKeysWithPrefix(redis, prefixes.worker);
    await deleteKeysWithPrefix(redis, prefixes.noop);
    redis.disconnect();
    await dropDatabase(config, database);
  }
}
