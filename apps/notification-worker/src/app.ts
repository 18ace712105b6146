import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import type { EventEnvelope, EventHandler, EventHandlers, EventType, Queues } from '@kz/events';
import {
  Channel,
  ChannelsByName,
  ConsoleChannel,
  DEFAULT_RETRY_POLICY,
  followUnitMove,
  forgetClosedAccount,
  HourlyRateLimit,
  NOTIFICATION_ROUTES,
  notificationEntities,
  notificationMigrations,
  parseQuietHours,
  RetryPolicy,
  WebhookChannel,
  WeChatSubscribeChannel,
} from '@kz/notifications';
import { WeChatClient } from '@kz/wechat';
import type { Registry } from 'prom-client';
import { createLogger, Logger, registerScrapeGauge } from '@kz/telemetry';
import { RunningWorkerService, startWorkerService } from '@kz/worker';
import { DeliverUseCase } from './deliveries/deliver';
import { DeliveryReconciler } from './deliveries/delivery-reconciler';
import { DeliveryScheduler } from './deliveries/delivery-scheduler';
import { NotifyUseCase } from './inbox/notify';
import { RecipientsApi } from './recipients/recipients-api';

export { NOTIFICATION_WORKER_CLAIMS, RecipientsApi } from './recipients/recipients-api';
export { INBOX_CONSUMER } from './inbox/notify';

export interface NotificationWorkerOptions {
  port?: number;
  log?: Logger;
  /** The clock of quiet hours, rate windows and schedules (tests set the hour). */
  now?: () => number;
  /** Backoff of transient send failures (tests shorten it). */
  retry?: Partial<RetryPolicy>;
  /**
   * The outbound channel (default: WECHAT through WeChat's subscribe messages when WECHAT_APP_ID is set; the rest
   * through the webhook when NOTIFICATION_WEBHOOK_URL is set, else the console).
   */
  channel?: Channel;
  /** Jobs handled at once by this process. */
  concurrency?: number;
}

export interface RunningNotificationWorker extends RunningWorkerService {
  dataSource: DataSource;
}

/** The outbound channel the configuration asks for: the message gateway's webhook, or the log in development. */
export function channelFromConfig(config: Config, log: Logger, now: () => number = Date.now): Channel {
  return config.NOTIFICATION_WEBHOOK_URL
    ? new WebhookChannel({ url: config.NOTIFICATION_WEBHOOK_URL, secret: config.NOTIFICATION_WEBHOOK_SECRET, timeoutMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS, now })
    : new ConsoleChannel(log);
}

/**
 * The handlers of the `notifications` queue: every domain event with a notification route goes to the inbox use case
 * (recipients, texts, deliveries), `notification.delivery.due` to the outbound use case, `org.unit.moved` rewrites
 * the stored unit paths and `person.account.closed` deletes the person's inbox and preferences (they notify nobody;
 * see `MAINTENANCE_EVENTS`). Any other event fails permanently with
 * "notifications has no handler for <type>" and stays in the failed set.
 */
export function notificationHandlers(deps: {
  config: Config;
  dataSource: DataSource;
  api: RecipientsApi;
  log: Logger;
  options?: NotificationWorkerOptions;
}): (queues: Queues) => EventHandlers {
  const { config, dataSource, api, log, options = {} } = deps;
  const now = options.now ?? Date.now;
  const quietHours = parseQuietHours(config.QUIET_HOURS);
  return (queues) => {
    // WeChat's server access token lives beside the queues, shared with the other replicas and the volunteers subgraph.
    const wechat = config.WECHAT_APP_ID && !options.channel
      ? new WeChatSubscribeChannel(
          new WeChatClient({
            apiBase: config.WECHAT_API_BASE,
            appId: config.WECHAT_APP_ID,
            appSecret: config.WECHAT_APP_SECRET,
            timeoutMs: config.WECHAT_TIMEOUT_MS,
            redis: queues.backend.store,
            prefix: queues.prefix,
            now,
          }),
          config.WECHAT_TEMPLATES,
        )
      : null;
    const fallback = options.channel ?? channelFromConfig(config, log, now);
    const channel = wechat ? new ChannelsByName(fallback, { WECHAT: wechat }) : fallback;
    const scheduler = new DeliveryScheduler(queues, now);
    const live = { redis: queues.backend, prefix: queues.prefix, maxLen: config.LIVE_STREAM_MAXLEN };
    const notify = new NotifyUseCase({ dataSource, api, scheduler, quietHours, now, log, wechatByOpenId: wechat !== null, live });
    const deliver = new DeliverUseCase({
      dataSource,
      channel,
      scheduler,
      rateLimit: new HourlyRateLimit(queues.backend.store, queues.prefix, config.NOTIFICATION_RATE_PER_HOUR, now),
      quietHours,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      // A WeChat send may first wait for the access token, and repeat once with a fresh one.
      claimMs: 2 * Math.max(config.NOTIFICATION_WEBHOOK_TIMEOUT_MS, wechat ? 3 * config.WECHAT_TIMEOUT_MS : 0) + 5000,
      now,
      log,
    });
    const handlers: Record<string, EventHandler> = {};
    for (const type of Object.keys(NOTIFICATION_ROUTES) as EventType[]) handlers[type] = (event) => notify.handle(event);
    handlers['notification.delivery.due'] = (event) => deliver.handle(event as Parameters<DeliverUseCase['handle']>[0]);
    handlers['org.unit.moved'] = (event) => followUnitMove(dataSource, event as EventEnvelope<'org.unit.moved'>).then(() => undefined);
    handlers['person.account.closed'] = (event) => forgetClosedAccount(dataSource, event as EventEnvelope<'person.account.closed'>).then(() => undefined);
    return handlers as EventHandlers;
  };
}

/**
 * Outbound deliveries not sent yet, read from the notifications database at scrape time: the dead letters (refused
 * for good or out of attempts, waiting for staff to retry them) and those still on their way, by status and channel.
 */
function registerDeliveryGauges(registry: Registry, dataSource: DataSource, log: Logger): void {
  const read = async (where: string) =>
    (await dataSource.query(`SELECT status, channel, count(*)::int AS n FROM delivery WHERE ${where} GROUP BY status, channel`)) as {
      status: string;
      channel: string;
      n: number;
    }[];
  const onError = (error: Error) => log.warn({ err: error.message }, 'cannot read deliveries for /metrics');
  registerScrapeGauge(registry, {
    name: 'notification_dead_letters',
    help: 'outbound deliveries in the dead-letter list (failedNotifications), by channel',
    labelNames: ['channel'],
    read: async () => {
      const counts = new Map((await read(`status = 'DEAD'`)).map((row) => [row.channel, row.n]));
      return ['SMS', 'WECHAT'].map((channel) => ({ labels: { channel }, value: counts.get(channel) ?? 0 }));
    },
    onError,
  });
  registerScrapeGauge(registry, {
    name: 'notification_deliveries_unsent',
    help: 'outbound deliveries not sent yet (PENDING, SCHEDULED for quiet hours or the hourly limit, FAILED awaiting a retry, DEAD), by status and channel',
    labelNames: ['status', 'channel'],
    read: async () => (await read(`status <> 'SENT'`)).map((row) => ({ labels: { status: row.status, channel: row.channel }, value: row.n })),
    onError,
  });
}

/**
 * The notification worker: consumes the `notifications` queue (any number of replicas), writes the inbox in the
 * notifications database it shares with the notifications subgraph, sends outbound messages, and serves `/health` and
 * `/metrics`.
 */
export async function startNotificationWorker(config: Config, options: NotificationWorkerOptions = {}): Promise<RunningNotificationWorker> {
  const log = options.log ?? createLogger('notification-worker', config.LOG_LEVEL);
  const source = createServiceDataSource({
    config,
    database: config.NOTIFICATIONS_DATABASE,
    entities: notificationEntities,
    migrations: notificationMigrations,
    log,
  });
  const dataSource = await openServiceDatabase(source, config);
  try {
    const service = await startWorkerService({
      name: 'notification-worker',
      config,
      port: options.port ?? config.NOTIFICATION_WORKER_PORT,
      queues: [
        {
          queue: 'notifications',
          handlers: notificationHandlers({ config, dataSource, api: RecipientsApi.fromConfig(config), log, options }),
          concurrency: options.concurrency,
        },
      ],
      log,
      checks: async () => ({
        postgres: await dataSource.query('SELECT 1').then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      }),
      registerMetrics: (registry, metricsLog) => registerDeliveryGauges(registry, dataSource, metricsLog),
      reconcile: (queues) => {
        const now = options.now ?? Date.now;
        const windowMs = config.TIMER_RECONCILE_WINDOW_MINUTES * 60_000;
        return [new DeliveryReconciler({ dataSource, queues, scheduler: new DeliveryScheduler(queues, now), windowMs, now })];
      },
      onStopped: () => dataSource.destroy(),
    });
    return { ...service, dataSource };
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}
