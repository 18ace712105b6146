import type { DataSource } from 'typeorm';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { EventStream, FiguresJob, openAnalyticsDatabase, SubscriptionSpec, Trimmer } from '@kz/analytics';
import type { Config } from '@kz/config';
import { catalog, EventHandler, EventHandlers, EventType } from '@kz/events';
import { createLogger, Logger, registerScrapeGauge } from '@kz/telemetry';
import { RunningWorkerService, startWorkerService } from '@kz/worker';

// What tools and end-to-end tests import from the worker; the code lives in @kz/analytics, shared with the subgraph.
export {
  analyticsMigrations,
  applyEvent,
  dailyFigures,
  EventStream,
  exportFigures,
  FIGURES_SUBSCRIPTION,
  FiguresJob,
  InvalidSubscription,
  openAnalyticsDatabase,
  rebuildFigures,
  stageTimes,
  subscriptionProblems,
  typeMatches,
} from '@kz/analytics';
export type { DailyFigures, ExportFormat, StageTime, StreamEntry, SubscriptionSpec, SubscriptionState } from '@kz/analytics';

export interface AnalyticsWorkerOptions {
  port?: number;
  log?: Logger;
}

export interface RunningAnalyticsWorker extends RunningWorkerService {
  dataSource: DataSource;
  stream: EventStream;
  trimmer: Trimmer;
  figures: FiguresJob;
}

/** A handler for every event of the catalogue: archive it, copy it into the subscriptions that want it. */
function archiveHandlers(stream: EventStream, onArchived: (added: boolean) => void): EventHandlers {
  const archive: EventHandler = async (event) => onArchived(await stream.archive(event));
  return Object.fromEntries((Object.keys(catalog) as EventType[]).map((type) => [type, archive])) as EventHandlers;
}

function registerStreamGauges(registry: Registry, stream: EventStream, log: Logger): void {
  const onError = (error: Error) => log.warn({ err: error.message }, 'cannot read the subscriptions for /metrics');
  const gauge = (name: string, help: string, value: (s: Awaited<ReturnType<EventStream['subscriptions']>>[number]) => number) =>
    registerScrapeGauge(registry, {
      name,
      help,
      labelNames: ['subscription'],
      read: async () => (await stream.subscriptions()).map((s) => ({ labels: { subscription: s.name }, value: value(s) })),
      onError,
    });
  gauge('event_stream_waiting_entries', "entries of a subscription not acknowledged yet (its consumer's lag)", (s) => s.waiting);
  gauge('event_stream_oldest_age_seconds', 'how long the oldest waiting entry of a subscription has waited (0 when none)', (s) => s.oldestAgeSeconds);
  gauge('event_stream_dropped_entries', "entries a subscription's retention dropped unread, since it was created (only grows)", (s) => s.dropped);
  gauge('event_stream_acked_entries', 'entries a subscription acknowledged, since it was created (only grows)', (s) => s.acked);
}

/**
 * The analytics worker: drains the `analytics` queue (every event of the platform, the dispatch worker's timers
 * included) into the event archive of its own database, copying each event into the subscriptions that want it, and
 * keeps every subscription within its retention. One job at a time per process, so a subscription receives the
 * events of one aggregate in the order the queue did (docs/events.md, "Consuming from analytics").
 */
export async function startAnalyticsWorker(config: Config, options: AnalyticsWorkerOptions = {}): Promise<RunningAnalyticsWorker> {
  const log = options.log ?? createLogger('analytics-worker', config.LOG_LEVEL);
  const dataSource = await openAnalyticsDatabase(config, log);
  const stream = new EventStream(dataSource);
  const trimmer = new Trimmer(stream, config.EVENT_STREAM_TRIM_SECONDS * 1000, log);
  const figures = new FiguresJob(dataSource, { log });
  try {
    for (const spec of config.EVENT_SUBSCRIPTIONS as SubscriptionSpec[]) await stream.subscribe(spec);
    // Before the queue is drained, so the subscription gets every event archived from now on.
    await figures.register();
    let archived: Counter<'added'> | undefined;
    const service = await startWorkerService({
      name: 'analytics-worker',
      config,
      port: options.port ?? config.ANALYTICS_WORKER_PORT,
      queues: [{ queue: 'analytics', handlers: archiveHandlers(stream, (added) => archived?.inc({ added: added ? 'new' : 'duplicate' })), concurrency: 1 }],
      log,
      checks: async () => ({
        postgres: await dataSource.query('SELECT 1').then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      }),
      registerMetrics: (registry, metricsLog) => {
        archived = new Counter({
          name: 'event_archive_events_total',
          help: 'events taken from the analytics queue: new to the archive, or a duplicate it had already',
          labelNames: ['added'],
          registers: [registry],
        });
        registerStreamGauges(registry, stream, metricsLog);
      },
      onStopped: async () => {
        await figures.stop();
        await trimmer.stop();
        await dataSource.destroy();
      },
    });
    trimmer.start();
    await figures.start();
    return { ...service, dataSource, stream, trimmer, figures };
  } catch (error) {
    await figures.stop();
    await trimmer.stop();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}
