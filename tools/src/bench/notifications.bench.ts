import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import type { Config } from '@kz/config';
import { dropDatabase, pgClientConfig } from '@kz/db';
import { catalog, createRedis, EventEnvelope } from '@kz/events';
import { startNotificationWorker } from '@kz/notification-worker';
import { deleteKeysWithPrefix, WebhookServer } from '@kz/testing';
import { Client } from 'pg';
import { withCpu } from './cpu';
import { Comparison, LoadResult, median, percentile } from './load';
import type { BenchOptions } from './unit-tree.bench';

const CONCURRENCIES = [1, 20];
/** How many people the messages go to (real people of the kaizhou seed, each with a mobile). */
const RECIPIENTS = 20_000;
/** The steady stream of issue 13: events added one at a time at this rate, for the concurrency below. */
const STEADY_RATE = 100;
const STEADY_CONCURRENCY = 20;
/** The goals of issue 13 at c=20: this share of the no-op worker's rate, and this p95 (ms) at the steady rate. */
const RATE_GOAL = 0.1;
const STEADY_P95_GOAL_MS = 500;


/** A volunteer approval for one person: the route needs no lookup but the person's contact (one SERVICE call). */
function approval(personId: string): EventEnvelope<'volunteer.approved'> {
  return {
    id: randomUUID(),
    type: 'volunteer.approved',
    version: catalog['volunteer.approved'].version,
    occurredAt: new Date().toISOString(),
    actor: { system: 'bench' },
    unitPath: null,
    payload: { volunteerId: '1', personId, stationId: '1' },
  };
}

/** Puts jobs on a paused queue (as the relay does), releases them together, and says when that was. */
async function release(queue: Queue, jobs: { name: string; data: unknown; id: string }[]): Promise<number> {
  await queue.pause();
  for (let i = 0; i < jobs.length; i += 1000) {
    await queue.addBulk(jobs.slice(i, i + 1000).map((job) => ({ name: job.name, data: job.data, opts: { jobId: job.id } })));
  }
  const started = performance.now();
  await queue.resume();
  return started;
}

async function until(done: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10)); // poll interval; rounds last seconds
  }
}

/**
 * Notifications delivered per second: batches of `volunteer.approved` events (each one person, who asked for SMS) go
 * through the notification worker (in this process, at concurrency 1 and then 20) — the inbox row, the recipient's
 * contact from the real volunteers subgraph as SERVICE, the delivery, its job, the hourly-limit counter and a signed
 * POST to a local webhook server — against a bare BullMQ worker doing nothing with as many jobs, same concurrency,
 * same Redis, alternating rounds of the same run. Rates are messages the webhook received per second from release;
 * latencies are each message's time from its event being picked up to the webhook receiving it (ms).
 */
export async function notificationBenchmarks(config: Config, options: BenchOptions): Promise<Comparison[]> {
  const database = `bench_notifications_${process.pid}`;
  const prefixes = { worker: `{kz-bench-notify-${process.pid}}`, noop: `{kz-bench-notify-noop-${process.pid}}` };
  const volunteers = new Client(pgClientConfig(config, config.VOLUNTEERS_DATABASE));
  await volunteers.connect();
  const people: string[] = (await volunteers.query(`SELECT id::text FROM person WHERE mobile IS NOT NULL ORDER BY id LIMIT ${RECIPIENTS}`)).rows.map((row) => row.id);
  await volunteers.end();
  if (people.length === 0) throw new Error('no person with a mobile in the volunteers database: seed it first');

  const webhook = await WebhookServer.start();
  const redis = createRedis(config.REDIS_URL, 'worker');
  const queues = { worker: new Queue('notifications', { connection: redis, prefix: prefixes.worker }), noop: new Queue('notifications', { connection: redis, prefix: prefixes.noop }) };
  const workerConfig: Config = {
    ...config,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: prefixes.worker,
    NOTIFICATIONS_DATABASE: database,
    NOTIFICATION_WEBHOOK_URL: webhook.url,
    NOTIFICATION_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    NOTIFICATION_RATE_PER_HOUR: 1_000_000, // the same few thousand people are messaged every round
    QUIET_HOURS: 'off',
  };
  let next = 0;
  const events = (count: number) =>
    Array.from({ length: count }, () => {
      const event = approval(people[next++ % people.length]!);
      return { name: event.type, data: event, id: event.id };
    });

  async function throughWorker(count: number, queue: Queue): Promise<LoadResult> {
    webhook.clear();
    const batch = events(count);
    const started = await release(queue, batch);
    await until(() => webhook.received.length >= count, 'the notification worker', 120_000);
    const seconds = (performance.now() - started) / 1000;
    const pickedUp = new Map<string, number>();
    for (const job of await queue.getJobs(['completed'], 0, 3 * count)) if (job.name === 'volunteer.approved') pickedUp.set(job.id!, job.processedOn ?? 0);
    const received = new Map(webhook.received.map((request) => [String(request.body.eventId), request.at]));
    const latencies = batch.map((event) => (received.get(event.id) ?? 0) - (pickedUp.get(event.id) ?? 0)).sort((a, b) => a - b);
    await queue.clean(0, 10 * count, 'completed');
    return { name: 'notification-worker', requests: count, rps: Math.round(count / seconds), p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), failures: (await queue.getJobCounts('failed')).failed! };
  }

  async function throughNoop(count: number, queue: Queue): Promise<LoadResult> {
    const started = await release(queue, events(count));
    await until(async () => (await queue.getJobCounts('completed')).completed! >= count, 'the no-op worker', 60_000);
    const seconds = (performance.now() - started) / 1000;
    const latencies = (await queue.getJobs(['completed'], 0, count - 1)).map((job) => (job.finishedOn ?? 0) - (job.processedOn ?? 0)).sort((a, b) => a - b);
    await queue.clean(0, 2 * count, 'completed');
    return { name: 'no-op', requests: count, rps: Math.round(count / seconds), p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), failures: 0 };
  }

  /**
   * Events added one by one at `rate` per second for `seconds` (a producer's steady stream, not a released batch), on
   * the pace of a clock (each add waits for its slot). Returns when each event was added, by id, and the pace's start.
   */
  async function paced(queue: Queue, rate: number, seconds: number): Promise<{ addedAt: Map<string, number>; started: number }> {
    const batch = events(Math.round(rate * seconds));
    const addedAt = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; i < batch.length; i += 1) {
      const slot = started + (i * 1000) / rate;
      if (slot > Date.now()) await new Promise((resolve) => setTimeout(resolve, slot - Date.now())); // the load's pace, not a wait for a result
      const event = batch[i]!;
      addedAt.set(event.id, Date.now());
      await queue.add(event.name, event.data, { jobId: event.id });
    }
    return { addedAt, started };
  }

  /** The worker fed at a steady rate: latency = event added → message received by the webhook (ms). */
  async function steadyWorker(rate: number, seconds: number, queue: Queue): Promise<LoadResult> {
    webhook.clear();
    const { addedAt, started } = await paced(queue, rate, seconds);
    await until(() => webhook.received.length >= addedAt.size, 'the notification worker (steady)', 120_000);
    const received = new Map(webhook.received.map((request) => [String(request.body.eventId), request.at]));
    const latencies = [...addedAt].map(([id, at]) => (received.get(id) ?? 0) - at).sort((a, b) => a - b);
    const elapsed = (Math.max(...received.values()) - started) / 1000;
    await queue.clean(0, 10 * addedAt.size, 'completed');
    return { name: 'notification-worker-steady', requests: addedAt.size, rps: Math.round(addedAt.size / elapsed), p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), failures: (await queue.getJobCounts('failed')).failed! };
  }

  /** The no-op worker fed the same way: latency = event added → job finished (ms). */
  async function steadyNoop(rate: number, seconds: number, queue: Queue): Promise<LoadResult> {
    const { addedAt, started } = await paced(queue, rate, seconds);
    await until(async () => (await queue.getJobCounts('completed')).completed! >= addedAt.size, 'the no-op worker (steady)', 60_000);
    const jobs = await queue.getJobs(['completed'], 0, addedAt.size - 1);
    const latencies = jobs.map((job) => (job.finishedOn ?? 0) - addedAt.get(job.id!)!).sort((a, b) => a - b);
    const elapsed = (Math.max(...jobs.map((job) => job.finishedOn ?? 0)) - started) / 1000;
    await queue.clean(0, 2 * addedAt.size, 'completed');
    return { name: 'no-op-steady', requests: addedAt.size, rps: Math.round(addedAt.size / elapsed), p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), failures: 0 };
  }

  const comparisons: Comparison[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      const worker = await startNotificationWorker(workerConfig, { port: 0, concurrency });
      const noopConnection = createRedis(config.REDIS_URL, 'worker');
      const noop = new Worker('notifications', async () => undefined, {
        connection: noopConnection,
        prefix: prefixes.noop,
        concurrency,
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
      });
      noop.on('error', () => undefined);
      try {
        // Everyone asks for SMS, so each event is one inbox row and one outbound message.
        await worker.dataSource.query(
          `INSERT INTO notification_preference (person_id, kind, channels) SELECT unnest($1::bigint[]), '*', '{INBOX,SMS}' ON CONFLICT DO NOTHING`,
          [people],
        );
        // Warm-up, which also sizes the rounds to about `seconds` each.
        const warm = await throughWorker(200, queues.worker);
        await throughNoop(200, queues.noop);
        const count = Math.max(200, Math.min(5000, Math.round(warm.rps * options.seconds)));
        const runs: Record<'worker' | 'noop', LoadResult[]> = { worker: [], noop: [] };
        for (let round = 0; round < options.rounds; round += 1) {
          runs.noop.push(await withCpu(() => throughNoop(count, queues.noop)));
          runs.worker.push(await withCpu(() => throughWorker(count, queues.worker)));
        }
        comparisons.push({
          title: `notifications: messages delivered per second, concurrency ${concurrency}`,
          note:
            `Batches of ${count} \`volunteer.approved\` events, each for one person who asked for SMS, released at once to one ` +
            `notification worker (in the bench process, concurrency ${concurrency}): recipient, contact from the volunteers subgraph ` +
            `(a signed SERVICE call), inbox row and delivery in one transaction, a delivery job, the hourly-limit counter in Redis ` +
            `and a signed POST to a local webhook server; against a bare BullMQ worker doing nothing with as many jobs (each event ` +
            `is two jobs for the notification worker), same concurrency, same Redis, alternating rounds. req/s = messages the ` +
            `webhook received per second from release; latencies = event picked up → message received (ms); no-op: each job's ` +
            `processing time (so no latency ratio is given).`,
          latenciesComparable: false,
          ...(concurrency === STEADY_CONCURRENCY ? { goal: RATE_GOAL } : {}),
          results: [
            { label: `notification worker (c=${concurrency})`, runs: runs.worker },
            { label: `no-op BullMQ worker (c=${concurrency})`, runs: runs.noop },
          ],
        });
        process.stdout.write(`notifications c=${concurrency}: ${median(runs.worker).rps}/s against ${median(runs.noop).rps}/s\n`);
        if (concurrency === STEADY_CONCURRENCY) {
          const steady: Record<'worker' | 'noop', LoadResult[]> = { worker: [], noop: [] };
          for (let round = 0; round < options.rounds; round += 1) {
            steady.noop.push(await withCpu(() => steadyNoop(STEADY_RATE, options.seconds, queues.noop)));
            steady.worker.push(await withCpu(() => steadyWorker(STEADY_RATE, options.seconds, queues.worker)));
          }
          const p95 = median(steady.worker).p95;
          comparisons.push({
            title: `notifications: ${STEADY_RATE} messages per second steady, concurrency ${concurrency}`,
            note:
              `The same events added one at a time at ${STEADY_RATE}/s for ${options.seconds} s (a producer's steady stream rather than ` +
              `a released batch) to the same worker at concurrency ${concurrency}; latencies = event added → message received by ` +
              `the webhook (ms), for the no-op worker event added → job finished. Goal (issue 13): p95 ≤ ${STEADY_P95_GOAL_MS} ms ` +
              `(this run: ${p95} ms, ${p95 <= STEADY_P95_GOAL_MS ? 'met' : 'not met'}).`,
            latenciesComparable: false,
            paced: true,
            results: [
              { label: `notification worker, ${STEADY_RATE}/s steady (c=${concurrency})`, runs: steady.worker },
              { label: `no-op BullMQ worker, ${STEADY_RATE}/s steady (c=${concurrency})`, runs: steady.noop },
            ],
          });
          process.stdout.write(`notifications ${STEADY_RATE}/s steady, c=${concurrency}: p50 ${median(steady.worker).p50} ms, p95 ${p95} ms (goal ≤ ${STEADY_P95_GOAL_MS} ms) against no-op p95 ${median(steady.noop).p95} ms\n`);
        }
      } finally {
        await noop.close();
        noopConnection.disconnect();
        await worker.stop();
      }
    }
    return comparisons;
  } finally {
    await queues.worker.close();
    await queues.noop.close();
    await deleteKeysWithPrefix(redis, prefixes.worker);
    await deleteKeysWithPrefix(redis, prefixes.noop);
    redis.disconnect();
    await webhook.stop();
    await dropDatabase(config, database);
  }
}
