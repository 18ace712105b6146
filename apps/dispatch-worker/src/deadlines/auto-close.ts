import type { EventEnvelope, EventHandlers } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import type { OrdersApi } from '../orders-api';
import type { Timer, Timers } from '../timers';
import { orderSubject } from './escalation';

/** The job id of an order's closing timer: one per order and evaluation deadline. */
export function closeJobId(orderId: string, dueAt: number): string {
  return `close-${orderId}-${dueAt}`;
}

const series = (orderId: string) => `close-${orderId}-`;

/** The closing timer of an order delivered at `since`, due at its evaluation deadline. */
export function closeTimer(orderId: string, dueAt: string, since: number, unitPath: string | null): Timer<'order.evaluation.due'> {
  const due = Date.parse(dueAt);
  return {
    jobId: closeJobId(orderId, due),
    subject: orderSubject(orderId),
    series: series(orderId),
    since,
    at: due,
    type: 'order.evaluation.due',
    payload: { orderId, dueAt },
    unitPath,
  };
}

/**
 * Orders not evaluated in time close by themselves: delivery sets a timer at the evaluation deadline that asks the
 * orders service to close the order (`closeOrder`, idempotent; INVALID_TRANSITION once it was evaluated or closed).
 * An evaluation, a close, a cancellation or a reopening drops it.
 */
export function autoCloseHandlers(deps: { timers: Timers; orders: OrdersApi; log: Logger }): EventHandlers {
  const { timers, orders, log } = deps;
  const drop = (event: EventEnvelope<'order.evaluated' | 'order.closed' | 'order.cancelled' | 'order.reopened'>) =>
    timers.end(orderSubject(event.payload.orderId), series(event.payload.orderId), Date.parse(event.occurredAt));

  return {
    'order.delivered': async (event) => {
      const { orderId, dueAt } = event.payload;
      if (!dueAt) {
        log.warn({ orderId }, 'no evaluation deadline on order.delivered: the order will not close by itself');
        return;
      }
      await timers.schedule(closeTimer(orderId, dueAt, Date.parse(event.occurredAt), event.unitPath));
    },
    'order.evaluated': drop,
    'order.closed': drop,
    'order.cancelled': drop,
    'order.reopened': drop,
    'order.evaluation.due': async (event) => {
      const { orderId } = event.payload;
      const result = await orders.closeOrder(orderId);
      if (!result.done) log.info({ orderId, reason: result.movedOn }, 'order moved on before its evaluation window ended');
    },
  };
}
