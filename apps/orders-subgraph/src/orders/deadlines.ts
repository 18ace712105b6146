import type { Config } from '@kz/config';
import type { ServiceOrder } from './order.entity';
import type { OrderStage, OrderStatus, Urgency } from './order-statuses';

/** The configured stage times, in minutes, at NORMAL urgency, and the scale tests shrink them with. */
export type StageMinutes = Pick<Config, 'ORDER_ACCEPT_MINUTES' | 'ORDER_DELIVER_MINUTES' | 'ORDER_EVALUATE_MINUTES' | 'ORDER_TIMER_SCALE'>;

/** Urgent orders get a quarter of the time, high ones half, low ones twice as much. */
export const URGENCY_FACTOR: Record<Urgency, number> = { URGENT: 0.25, HIGH: 0.5, NORMAL: 1, LOW: 2 };

const STAGE_MINUTES: Record<OrderStage, keyof StageMinutes> = {
  ACCEPT: 'ORDER_ACCEPT_MINUTES',
  DELIVER: 'ORDER_DELIVER_MINUTES',
  EVALUATE: 'ORDER_EVALUATE_MINUTES',
};

/** When a stage entered at `from` must be done, for an order of this urgency. */
export function stageDeadline(minutes: StageMinutes, stage: OrderStage, urgency: Urgency, from: Date): Date {
  const ms = minutes[STAGE_MINUTES[stage]] * URGENCY_FACTOR[urgency] * minutes.ORDER_TIMER_SCALE * 60_000;
  return new Date(from.getTime() + Math.round(ms));
}

/** The stage an order in `status` is in, if that stage has a deadline. */
export function currentStage(status: OrderStatus): OrderStage | null {
  switch (status) {
    case 'DISPATCHED':
      return 'ACCEPT';
    case 'ACCEPTED':
    case 'IN_PROGRESS':
      return 'DELIVER';
    case 'DELIVERED':
      return 'EVALUATE';
    default:
      return null;
  }
}

/** The deadline of the stage the order is in now, if any. */
export function currentDeadline(order: Pick<ServiceOrder, 'status' | 'acceptBy' | 'deliverBy' | 'evaluateBy'>): Date | null {
  const stage = currentStage(order.status);
  if (stage === 'ACCEPT') return order.acceptBy;
  if (stage === 'DELIVER') return order.deliverBy;
  if (stage === 'EVALUATE') return order.evaluateBy;
  return null;
}

export function isOverdue(order: Pick<ServiceOrder, 'status' | 'acceptBy' | 'deliverBy' | 'evaluateBy'>, now = new Date()): boolean {
  const deadline = currentDeadline(order);
  return deadline !== null && deadline.getTime() < now.getTime();
}

/** The same rule in SQL, over the columns of `service_order` aliased `o`. */
export const OVERDUE_SQL = `(
  (o.status = 'DISPATCHED' AND o.accept_by < now()) OR
  (o.status IN ('ACCEPTED', 'IN_PROGRESS') AND o.deliver_by < now()) OR
  (o.status = 'DELIVERED' AND o.evaluate_by < now()))`;
