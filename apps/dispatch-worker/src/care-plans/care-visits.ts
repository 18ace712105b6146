import type { EventHandlers } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { OrdersApi, VISIT_MADE_STATUSES } from '../orders-api';
import type { Timer, Timers } from '../timers';

/** The job id of a plan's visit timer: one per plan and visit due time. */
export function visitJobId(carePlanId: string, dueAt: number): string {
  return `care-${carePlanId}-${dueAt}`;
}

/** The job id of the check whether a visit was made: one per plan, visit order and due time. */
export function visitCheckJobId(carePlanId: string, orderId: string, dueAt: number): string {
  return `missed-${carePlanId}-${orderId}-${dueAt}`;
}

const planSubject = (carePlanId: string) => `carePlan:${carePlanId}`;
const visitSeries = (carePlanId: string) => `care-${carePlanId}-`;

/** A plan's timer for its next visit, as announced (or last changed) at `since`. */
export function visitTimer(carePlanId: string, stationId: string, nextVisitAt: string, since: number, unitPath: string | null): Timer<'carePlan.visit.timerDue'> {
  const due = Date.parse(nextVisitAt);
  return {
    jobId: visitJobId(carePlanId, due),
    subject: planSubject(carePlanId),
    series: visitSeries(carePlanId),
    since,
    at: due,
    type: 'carePlan.visit.timerDue',
    payload: { carePlanId, stationId, dueAt: nextVisitAt },
    unitPath,
  };
}

/** The check whether a visit's order was delivered, `deliverMs` after the visit was due. */
export function visitCheckTimer(
  carePlanId: string,
  orderId: string,
  dueAt: string,
  since: number,
  unitPath: string | null,
  deliverMs: number,
): Timer<'carePlan.visit.checkDue'> {
  return {
    jobId: visitCheckJobId(carePlanId, orderId, Date.parse(dueAt)),
    subject: planSubject(carePlanId),
    series: `missed-${carePlanId}-${orderId}-`,
    since,
    at: Date.parse(dueAt) + deliverMs,
    type: 'carePlan.visit.checkDue',
    payload: { carePlanId, orderId, dueAt },
    unitPath,
  };
}

/**
 * Recurring care visits. The orders service owns each plan and announces its next visit (`carePlan.scheduled`);
 * this worker keeps one timer per plan at that time (a newer announcement replaces it, a paused plan drops it). When
 * it fires, the orders service turns the visit into a patrol order (`recordCarePlanVisit`, once per plan and due
 * time), announces it (`carePlan.visit.due`) and moves the plan on. The visit then has the delivery time of any
 * order (ORDER_DELIVER_MINUTES, scaled by ORDER_TIMER_SCALE): if its order is not delivered by then, the visit is
 * flagged missed (`markVisitMissed`).
 */
export function careVisitHandlers(deps: { timers: Timers; orders: OrdersApi; log: Logger; deliverMs: number }): EventHandlers {
  const { timers, orders, log } = deps;
  return {
    'carePlan.scheduled': async (event) => {
      const { carePlanId, stationId, nextVisitAt, active } = event.payload;
      const since = Date.parse(event.occurredAt);
      if (!active) {
        await timers.end(planSubject(carePlanId), visitSeries(carePlanId), since);
        return;
      }
      await timers.schedule(visitTimer(carePlanId, stationId, nextVisitAt, since, event.unitPath));
    },
    'carePlan.visit.timerDue': async (event) => {
      const { carePlanId, dueAt } = event.payload;
      const result = await orders.recordCarePlanVisit(carePlanId, dueAt);
      if (!result.done) log.info({ carePlanId, dueAt, reason: result.movedOn }, 'care plan moved on before its visit came due');
    },
    'carePlan.visit.due': async (event) => {
      const { carePlanId, orderId, dueAt } = event.payload;
      if (!orderId) {
        log.warn({ carePlanId, dueAt }, 'carePlan.visit.due without its order: nothing to check');
        return;
      }
      await timers.schedule(visitCheckTimer(carePlanId, orderId, dueAt, Date.parse(event.occurredAt), event.unitPath, deps.deliverMs));
    },
    'carePlan.visit.checkDue': async (event) => {
      const { carePlanId, orderId } = event.payload;
      const status = await orders.orderStatus(orderId);
      if (status === null) {
        log.warn({ carePlanId, orderId }, 'the visit order is unknown to the orders service: not flagged');
        return;
      }
      if (VISIT_MADE_STATUSES.has(status)) return;
      const result = await orders.markVisitMissed(carePlanId, orderId);
      if (!result.done) log.info({ carePlanId, orderId, reason: result.movedOn }, 'visit already settled');
    },
  };
}
