import type { Config } from '@kz/config';
import type { EventHandlers } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { RunningWorkerService, startWorkerService } from '@kz/worker';

/**
 * The handlers of the `notifications` queue (in-app inbox, outbound channels), added by the issues that build
 * them. Until then the map is empty, so every event on the queue fails permanently with "notifications has no
 * handler for <type>" at its first attempt and stays in the failed set (kept for a week), where it can be
 * inspected and retried once its handler exists: nothing is dropped silently.
 */
const notificationHandlers: EventHandlers = {};

/** The notification worker: consumes the `notifications` queue and serves `/health` and `/metrics`. */
export function startNotificationWorker(
  config: Config,
  options: { port?: number; log?: Logger } = {},
): Promise<RunningWorkerService> {
  return startWorkerService({
    name: 'notification-worker',
    config,
    port: options.port ?? config.NOTIFICATION_WORKER_PORT,
    queues: [{ queue: 'notifications', handlers: notificationHandlers }],
    log: options.log,
  });
}
