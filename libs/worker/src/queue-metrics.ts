import type { Job, Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueName } from '@kz/events';
import type { Logger } from '@kz/telemetry';

type Counts = { waiting: number; active: number; delayed: number; failed: number };

const GAUGES: Record<keyof Counts, { name: string; help: string }> = {
  waiting: {
    name: 'queue_jobs_waiting',
    help: 'jobs waiting for a worker (waiting and prioritized), read from the queue backend at scrape time',
  },
  active: { name: 'queue_jobs_active', help: 'jobs being processed by some worker, read from the queue backend at scrape time' },
  delayed: { name: 'queue_jobs_delayed', help: 'jobs delayed (timers, retry backoff), read from the queue backend at scrape time' },
  failed: { name: 'queue_jobs_failed', help: 'jobs in the failed set (kept for inspection and retry)' },
};

/**
 * Queue depth gauges, one series per queue. They read the counts from Redis when scraped, so every replica reports
 * the same truth and ops can autoscale on them. One `getJobCounts` per queue serves the four gauges of a scrape
 * (prom-client collects all metrics at once). A queue whose counts cannot be read is left out of that scrape
 * rather than shown with stale numbers; `/health` says why.
 */
export function registerQueueGauges(registry: Registry, queues: Map<QueueName, Queue>, log?: Logger): void {
  let inFlight: Promise<Map<QueueName, Counts>> | undefined;

  async function readCounts(): Promise<Map<QueueName, Counts>> {
    const entries = await Promise.all(
      [...queues].map(async ([name, queue]): Promise<[QueueName, Counts] | undefined> => {
        try {
          const raw = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
          const counts = {
            waiting: (raw.waiting ?? 0) + (raw.prioritized ?? 0),
            active: raw.active ?? 0,
            delayed: raw.delayed ?? 0,
            failed: raw.failed ?? 0,
          };
          return [name, counts];
        } catch (error) {
          log?.warn({ queue: name, err: (error as Error).message }, 'cannot read queue counts for /metrics');
          return undefined;
        }
      }),
    );
    return new Map(entries.filter((entry) => entry !== undefined));
  }

  function snapshot(): Promise<Map<QueueName, Counts>> {
    inFlight ??= readCounts().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  for (const [state, { name, help }] of Object.entries(GAUGES) as [keyof Counts, (typeof GAUGES)[keyof Counts]][]) {
    new Gauge({
      name,
      help,
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        const counts = await snapshot();
        this.reset();
        for (const [queue, values] of counts) this.set({ queue }, values[state]);
      },
    });
  }
}

export interface JobMetrics {
  processed: Counter<'queue' | 'status'>;
  duration: Histogram<'queue'>;
}

export function createJobMetrics(registry: Registry): JobMetrics {
  return {
    processed: new Counter({
      name: 'jobs_processed_total',
      help: 'job attempts finished by this process: completed, failed (for good) or retrying (failed, will run again)',
      labelNames: ['queue', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'job_duration_seconds',
      help: 'time from a job becoming active to its attempt finishing, by queue',
      labelNames: ['queue'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

/** Feeds the job counter and histogram from a worker's `completed` and `failed` events. */
export function instrumentWorker(worker: Worker, queue: QueueName, metrics: JobMetrics): void {
  const observe = (job: Job) => {
    if (!job.processedOn) return;
    const seconds = ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000;
    metrics.duration.observe({ queue }, Math.max(seconds, 0));
  };
  worker.on('completed', (job) => {
    metrics.processed.inc({ queue, status: 'completed' });
    observe(job);
  });
  worker.on('failed', (job) => {
    // BullMQ sets finishedOn only when the job moves to the failed set; a job it will retry has none yet. A job
    // missing altogether was a stalled one already removed: it failed for good.
    const status = !job || job.finishedOn ? 'failed' : 'retrying';
    metrics.processed.inc({ queue, status });
    if (job) observe(job);
  });
}
