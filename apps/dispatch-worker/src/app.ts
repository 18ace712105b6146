import type { Config } from '@kz/config';
import type { EventHandlers, Queues } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { RunningWorkerService, startWorkerService } from '@kz/worker';
import { redemptionTimerHandlers } from './redemption-timer';

/**
 * The handlers of the `dispatch` queue (order routing, SLA timers, care-plan visits), added by the issues that
 * build them. An event without a handler yet fails permanently with "dispatch has no handler for <type>" at its
 * first attempt and stays in the failed set (kept for a week), where it can be inspected and retried once its
 * handler exists: nothing is dropped silently.
 */
const dispatchHandlers = (queues: Queues): EventHandlers => ({
  ...redemptionTimerHandlers(queues),
});

/** The dispatch worker: consumes the `dispatch` queue and serves `/health` and `/metrics`. */
export function startDispatchWorker(
  config: Config,
  options: { port?: number; log?: Logger } = {},
): Promise<RunningWorkerService> {
  return startWorkerService({
    name: 'dispatch-worker',
    config,
    port: options.port ?? config.DISPATCH_WORKER_PORT,
    queues: [{ queue: 'dispatch', handlers: dispatchHandlers }],
    log: options.log,
  });
}
