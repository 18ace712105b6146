import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { Doer } from './order-writer';
import type { UploadTicket } from '@kz/auth';
import { Conflict } from '@kz/errors';
import { recordEvent } from '@kz/events';
import type { ServiceOrder } from './order.entity';

/** Most photos with a placement, and with each delivery. */
export const MAX_ORDER_PHOTOS = 9;

export interface OrderPhoto {
  photoId: string;
  orderId: string;
  round: number | null;
  width: number;
  height: number;
  contentType: string;
}

/**
 * Records the uploads on the order (with the placement, `round` null, or as proof of a delivery round) and tells the
 * gateway's media store they are taken (`media.photo.attached`), in the move's transaction. A photo another order
 * already took is a CONFLICT.
 */
export async function attachOrderPhotos(
  manager: EntityManager,
  order: ServiceOrder,
  round: number | null,
  tickets: UploadTicket[],
  doer: Doer,
  field: string,
): Promise<void> {
  if (tickets.length === 0) return;
  const inserted: { photo_id: string }[] = await manager.query(
    `INSERT INTO order_photo (photo_id, order_id, round, position, content_type, width, height, uploaded_by)
     SELECT p.id, $1, $2, p.position, p.content_type, p.width, p.height, p.owner
       FROM unnest($3::uuid[], $4::int[], $5::text[], $6::int[], $7::int[], $8::text[]) AS p(id, position, content_type, width, height, owner)
     ON CONFLICT (photo_id) DO NOTHING RETURNING photo_id`,
    [
      order.id,
      round,
      tickets.map((ticket) => ticket.id),
      tickets.map((_, index) => index),
      tickets.map((ticket) => ticket.contentType),
      tickets.map((ticket) => ticket.width),
      tickets.map((ticket) => ticket.height),
      tickets.map((ticket) => ticket.ownerId),
    ],
  );
  if (inserted.length < tickets.length) {
    const taken = new Set(inserted.map((row) => row.photo_id));
    const index = tickets.findIndex((ticket) => !taken.has(ticket.id));
    throw new Conflict(`${field}.${index}`, tickets[index]!.id, 'media.alreadyAttached');
  }
  await recordEvent(manager, {
    type: 'media.photo.attached',
    actor: doer.event,
    unitPath: order.stationPath ?? order.requesterHomePath ?? null,
    payload: { photoIds: tickets.map((ticket) => ticket.id), ownerType: 'order', ownerId: order.id },
  });
}

/** Each order's photos, placement first, then by delivery round, each in the order given. */
export function photosByOrderLoader(manager: EntityManager): DataLoader<string, OrderPhoto[]> {
  return new DataLoader(async (ids) => {
    const rows: OrderPhoto[] = await manager.query(
      `SELECT photo_id::text AS "photoId", order_id::text AS "orderId", round, width, height, content_type AS "contentType"
         FROM order_photo WHERE order_id = ANY($1::bigint[]) ORDER BY order_id, round NULLS FIRST, position`,
      [ids],
    );
    const byOrder = new Map<string, OrderPhoto[]>();
    for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
    return ids.map((id) => byOrder.get(id) ?? []);
  });
}
