import type { CallResult, ServiceClient } from '@kz/worker';

export type Stage = 'ACCEPT' | 'DELIVER';
export type Level = 'INSTITUTE' | 'CENTER';

/** The statuses in which a care visit counts as made. */
export const VISIT_MADE_STATUSES: ReadonlySet<string> = new Set(['DELIVERED', 'EVALUATED', 'CLOSED']);

const DISPATCH = `mutation DispatchOrder($input: DispatchOrderInput!) { dispatchOrder(input: $input) { id status } }`;
const ESCALATE = `mutation EscalateOrder($input: EscalateOrderInput!) { escalateOrder(input: $input) { id status } }`;
const CLOSE = `mutation CloseOrder($input: OrderIdInput!) { closeOrder(input: $input) { id status } }`;
const RECORD_VISIT = `mutation RecordCarePlanVisit($input: CarePlanVisitInput!) { recordCarePlanVisit(input: $input) { id status } }`;
const MARK_MISSED = `mutation MarkVisitMissed($input: MissedVisitInput!) { markVisitMissed(input: $input) { id } }`;
const DUE_TIMERS = `query DueTimers($before: DateTime, $after: String) {
  dueTimers(before: $before, after: $after, first: 500) {
    items { kind orderId carePlanId stationId stage dueAt since unitPath escalated }
    nextCursor
  }
}`;
const ORDER_STATUS = `query OrderStatus($id: ID!) { order(id: $id) { id status } }`;

/** A timer as the orders subgraph derives it from its tables (`dueTimers`, SERVICE only). */
export interface DueTimer {
  kind: 'STAGE_DEADLINE' | 'EVALUATION' | 'CARE_VISIT' | 'VISIT_CHECK';
  orderId: string | null;
  carePlanId: string | null;
  stationId: string | null;
  stage: Stage | null;
  dueAt: string;
  since: string;
  unitPath: string | null;
  /** Escalation levels already done for this deadline. */
  escalated: Level[];
}

export interface DueTimerPage {
  items: DueTimer[];
  nextCursor: string | null;
}

/**
 * The orders subgraph as the worker uses it: each mutation is idempotent on the orders side (a repeat changes
 * nothing), and INVALID_TRANSITION comes back as "moved on" rather than as an error.
 */
export class OrdersApi {
  constructor(private readonly client: ServiceClient) {}

  dispatchOrder(orderId: string, stationId: string): Promise<CallResult<unknown>> {
    return this.client.call('dispatchOrder', DISPATCH, { input: { orderId, stationId } });
  }

  escalateOrder(orderId: string, stage: Stage, level: Level): Promise<CallResult<unknown>> {
    return this.client.call('escalateOrder', ESCALATE, { input: { orderId, stage, level } });
  }

  closeOrder(orderId: string): Promise<CallResult<unknown>> {
    return this.client.call('closeOrder', CLOSE, { input: { orderId } });
  }

  recordCarePlanVisit(carePlanId: string, dueAt: string): Promise<CallResult<unknown>> {
    return this.client.call('recordCarePlanVisit', RECORD_VISIT, { input: { carePlanId, dueAt } });
  }

  markVisitMissed(carePlanId: string, orderId: string): Promise<CallResult<unknown>> {
    return this.client.call('markVisitMissed', MARK_MISSED, { input: { carePlanId, orderId } });
  }

  /** One page of the timers the orders tables define, due before `before` (all when null). */
  async dueTimers(before: Date | null, after: string | null): Promise<DueTimerPage> {
    const result = await this.client.call<{ dueTimers: DueTimerPage }>('dueTimers', DUE_TIMERS, { before: before?.toISOString() ?? null, after });
    if (!result.done) throw new Error(`dueTimers was refused: ${result.movedOn}`);
    return result.data.dueTimers;
  }

  /** The order's status, or null when the orders service knows no such order. */
  async orderStatus(orderId: string): Promise<string | null> {
    const result = await this.client.call<{ order: { status: string } | null }>('order', ORDER_STATUS, { id: orderId });
    return result.done ? (result.data.order?.status ?? null) : null;
  }
}
