import type { EventEnvelope, EventHandlers } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import type { Level, OrdersApi, Stage } from '../orders-api';
import type { Timer, Timers } from '../timers';

/** The job id of an escalation timer: one per order, stage, level and stage deadline. */
export function escalationJobId(orderId: string, stage: Stage, level: Level, dueAt: number): string {
  return `esc-${orderId}-${stage}-${level}-${dueAt}`;
}

const series = (orderId: string, stage: Stage) => `esc-${orderId}-${stage}-`;
export const orderSubject = (orderId: string) => `order:${orderId}`;

/**
 * The two timers of a stage deadline: at the deadline the institute is alerted, and as long again after it (measured
 * from `since`, when the stage began) the center. The dispatch worker sets them when the order enters the stage and
 * its reconciler rebuilds them from the order's columns.
 */
export function stageTimers(
  orderId: string,
  stage: Stage,
  dueAt: string,
  since: number,
  unitPath: string | null,
): Timer<'order.deadline.due'>[] {
  const due = Date.parse(dueAt);
  const span = Math.max(0, due - since);
  const levels: [Level, number][] = [
    ['INSTITUTE', due],
    ['CENTER', due + span],
  ];
  return levels.map(([level, at]) => ({
    jobId: escalationJobId(orderId, stage, level, due),
    subject: orderSubject(orderId),
    series: series(orderId, stage),
    since,
    at,
    type: 'order.deadline.due',
    payload: { orderId, stage, level, dueAt },
    unitPath,
  }));
}

/**
 * SLA escalation. When an order enters a stage with a deadline (dispatched: accept by; accepted or reopened: deliver
 * by), two timers are set: at the deadline the institute is alerted, and as long again after it the center. When they
 * fire the orders service escalates the order (`escalateOrder`, idempotent, and ignored if the stage is over).
 * Leaving the stage (accepted, returned, delivered, cancelled) drops the stage's timers.
 */
export function escalationHandlers(deps: { timers: Timers; orders: OrdersApi; log: Logger }): EventHandlers {
  const { timers, orders, log } = deps;

  async function enterStage(event: EventEnvelope<'order.dispatched' | 'order.accepted' | 'order.reopened'>, stage: Stage): Promise<void> {
    const { orderId, dueAt } = event.payload;
    if (!dueAt) {
      log.warn({ orderId, type: event.type }, 'no stage deadline on the event: nothing to escalate');
      return;
    }
    for (const timer of stageTimers(orderId, stage, dueAt, Date.parse(event.occurredAt), event.unitPath)) await timers.schedule(timer);
  }

  const leaveStage = (event: EventEnvelope<'order.accepted' | 'order.returned' | 'order.delivered' | 'order.cancelled'>, stage: Stage) =>
    timers.end(orderSubject(event.payload.orderId), series(event.payload.orderId, stage), Date.parse(event.occurredAt));

  return {
    'order.dispatched': (event) => enterStage(event, 'ACCEPT'),
    'order.accepted': async (event) => {
      await leaveStage(event, 'ACCEPT');
      await enterStage(event, 'DELIVER');
    },
    'order.returned': (event) => leaveStage(event, 'ACCEPT'),
    'order.delivered': (event) => leaveStage(event, 'DELIVER'),
    // An unresolved evaluation sends the order back to delivery, with a new deadline.
    'order.reopened': (event) => enterStage(event, 'DELIVER'),
    'order.cancelled': async (event) => {
      await leaveStage(event, 'ACCEPT');
      await leaveStage(event, 'DELIVER');
    },
    'order.deadline.due': async (event) => {
      const { orderId, stage, level } = event.payload;
      const result = await orders.escalateOrder(orderId, stage, level);
      if (!result.done) log.info({ orderId, stage, level, reason: result.movedOn }, 'order moved on before its escalation');
    },
  };
}
