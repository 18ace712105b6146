import type { DataSource } from 'typeorm';
import { EventEnvelope, EventHandlers, handleOnce } from '@kz/events';

const CONSUMER = 'volunteers.order-feedback';

/**
 * The volunteers subgraph's side of `order.evaluated`, on `volunteers-inbox`: the resident's rating of an order
 * becomes feedback on each volunteer of the order's latest delivery round, as the order records of that round name
 * them (`order-minutes.consumer.ts`).
 */
export function orderFeedbackHandlers(dataSource: DataSource): EventHandlers {
  return {
    'order.evaluated': async (event) => {
      await recordOrderFeedback(dataSource, event);
    },
  };
}

/**
 * Stores the feedback once per event (`handleOnce`) and once per (order, round, volunteer) whatever the event (the
 * primary key). The round evaluated is the latest one delivered: the event carries no round, and an order is
 * evaluated after each delivery, before it can be reopened and delivered again. A round with no records (declared
 * staff duty, or nobody served minutes) gives no feedback. Returns the volunteers who got feedback now.
 */
export async function recordOrderFeedback(dataSource: DataSource, event: EventEnvelope<'order.evaluated'>): Promise<string[]> {
  let given: string[] = [];
  await handleOnce(dataSource, CONSUMER, event, async (manager) => {
    const { payload } = event;
    if (payload.rating === undefined && payload.resolved === undefined) return;
    const rows: { volunteer_id: string }[] = await manager.query(
      `INSERT INTO order_feedback (order_id, order_round, volunteer_id, rating, resolved, event_id, evaluated_at)
       SELECT r.order_id, r.order_round, r.volunteer_id, $2, $3, $4, $5
         FROM service_record r
        WHERE r.order_id = $1 AND r.order_round = (SELECT max(order_round) FROM service_record WHERE order_id = $1)
        ORDER BY r.volunteer_id
       ON CONFLICT (order_id, order_round, volunteer_id) DO NOTHING
       RETURNING volunteer_id::text`,
      [payload.orderId, payload.rating ?? null, payload.resolved ?? null, event.id, event.occurredAt],
    );
    given = rows.map((row) => row.volunteer_id);
  });
  return given;
}
