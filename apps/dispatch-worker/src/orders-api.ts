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
const ORDER_STATUS = `query OrderStatus($id: ID!) { order(id: $id) { id status } }`;

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

  /** The order's status, or null when the orders service knows no such order. */
  async orderStatus(orderId: string): Promise<string | null> {
    const result = await this.client.call<{ order: { status: string } | null }>('order', ORDER_STATUS, { id: orderId });
    return result.done ? (result.data.order?.status ?? null) : null;
  }
}
