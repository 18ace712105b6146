import type { Config } from '@kz/config';
import type { EventHandler, EventHandlers, EventType, Queues } from '@kz/events';
import { createLogger, Logger } from '@kz/telemetry';
import { RunningWorkerService, startWorkerService } from '@kz/worker';
import { careVisitHandlers } from './care-plans/care-visits';
import { autoCloseHandlers } from './deadlines/auto-close';
import { escalationHandlers } from './deadlines/escalation';
import { OrdersApi } from './orders-api';
import { PointsApi } from './points-api';
import { redemptionTimerHandlers } from './redemption-timer';
import { orderRoutingHandlers } from './routing/order-routing';
import { StationDirectory } from './routing/stations';
import { subgraphClient } from './subgraphs';
import { DispatchTimerReconciler } from './timer-reconciler';
import { Timers } from './timers';

export { escalationJobId } from './deadlines/escalation';
export { expiryJobId } from './redemption-timer';

/** Several features may follow one event (an order's delivery ends its delivery stage and opens its evaluation). */
export function mergeHandlers(...sets: EventHandlers[]): EventHandlers {
  const merged: Record<string, EventHandler[]> = {};
  for (const set of sets) {
    for (const [type, handler] of Object.entries(set)) (merged[type] ??= []).push(handler as EventHandler);
  }
  return Object.fromEntries(
    Object.entries(merged).map(([type, handlers]) => [
      type,
      handlers.length === 1
        ? handlers[0]
        : async (...args: Parameters<EventHandler>) => {
            for (const handler of handlers) await handler(...args);
          },
    ]),
  ) as { [T in EventType]?: EventHandler<T> };
}

/**
 * The worker's own timers: delayed jobs on its queue, never in an outbox. When one fires, its envelope (whose id is
 * derived from the timer's job id) goes to the `analytics` queue too, before it is handled, so the event stream
 * sees it once (a retry adds the same job id; the archive keeps one copy by id). `points.redemption.expiryDue` is
 * forwarded to all its routes by its own handler.
 */
export const STREAMED_TIMER_TYPES = ['order.deadline.due', 'order.evaluation.due', 'carePlan.visit.timerDue', 'carePlan.visit.checkDue'] as const;

function streamingFiredTimers(queues: Queues, handlers: EventHandlers): EventHandlers {
  const streamed: Record<string, EventHandler> = { ...(handlers as Record<string, EventHandler>) };
  for (const type of STREAMED_TIMER_TYPES) {
    const handle = handlers[type] as EventHandler | undefined;
    if (!handle) continue;
    streamed[type] = async (event, job) => {
      await queues.get('analytics').add(event.type, event, { jobId: event.id });
      await handle(event, job);
    };
  }
  return streamed as EventHandlers;
}

/**
 * The handlers of the `dispatch` queue: order routing, SLA escalation, closing of unevaluated orders, care-plan
 * visits and the redemption expiry timer. An event without a handler fails permanently with "dispatch has no handler
 * for <type>" at its first attempt and stays in the failed set (kept for a week), where it can be inspected and
 * retried once its handler exists: nothing is dropped silently.
 */
export function dispatchHandlers(config: Config, log: Logger): (queues: Queues) => EventHandlers {
  const orders = new OrdersApi(subgraphClient(config, 'orders'));
  // One station list per process, shared by every job of it.
  const stations = new StationDirectory(subgraphClient(config, 'org'));
  const deliverMs = config.ORDER_DELIVER_MINUTES * 60_000 * config.ORDER_TIMER_SCALE;
  return (queues) => {
    const timers = new Timers(queues);
    const handlers = mergeHandlers(
      redemptionTimerHandlers(queues),
      orderRoutingHandlers({ queues, autoDispatch: config.AUTO_DISPATCH, stations, orders, log }),
      escalationHandlers({ timers, orders, log }),
      autoCloseHandlers({ timers, orders, log }),
      careVisitHandlers({ timers, orders, log, deliverMs }),
      // Service began; the delivery deadline keeps running until the order is delivered.
      { 'order.started': async () => undefined },
    );
    return streamingFiredTimers(queues, handlers);
  };
}

export interface DispatchWorkerOptions {
  port?: number;
  log?: Logger;
  /** Job lock and stalled-job check in ms (BullMQ's 30 s by default); tests of killed workers shorten them. */
  lockDuration?: number;
  stalledInterval?: number;
}

/** The dispatch worker: consumes the `dispatch` queue and serves `/health` and `/metrics`. */
export function startDispatchWorker(config: Config, options: DispatchWorkerOptions = {}): Promise<RunningWorkerService> {
  const log = options.log ?? createLogger('dispatch-worker', config.LOG_LEVEL);
  return startWorkerService({
    name: 'dispatch-worker',
    config,
    port: options.port ?? config.DISPATCH_WORKER_PORT,
    queues: [
      {
        queue: 'dispatch',
        handlers: dispatchHandlers(config, log),
        lockDuration: options.lockDuration,
        stalledInterval: options.stalledInterval,
      },
    ],
    // Timers from the database: missing delayed jobs are rebuilt from the orders and points tables (see
    // DispatchTimerReconciler) at start, periodically, after a reconnect and when Redis comes back empty.
    reconcile: (queues) => [
      new DispatchTimerReconciler({
        queues,
        timers: new Timers(queues),
        orders: new OrdersApi(subgraphClient(config, 'orders')),
        points: new PointsApi(subgraphClient(config, 'points')),
        deliverMs: config.ORDER_DELIVER_MINUTES * 60_000 * config.ORDER_TIMER_SCALE,
        windowMs: config.TIMER_RECONCILE_WINDOW_MINUTES * 60_000,
        log,
      }),
    ],
    log,
  });
}
