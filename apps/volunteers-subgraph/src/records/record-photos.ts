import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { EventActor } from '@kz/events';
import type { StoredPhoto, UploadTicket } from '@kz/auth';
import { Conflict } from '@kz/errors';
import { recordEvent } from '@kz/events';

/**
 * Records the uploads on a service record and tells the gateway's media store they are taken
 * (`media.photo.attached`), in the caller's transaction. A photo another record already took is a CONFLICT.
 */
export async function attachRecordPhotos(
  manager: EntityManager,
  record: { id: string; unitPath: string },
  tickets: UploadTicket[],
  actor: EventActor,
  field: string,
): Promise<void> {
  if (tickets.length === 0) return;
  const inserted: { photo_id: string }[] = await manager.query(
    `INSERT INTO service_record_photo (photo_id, record_id, position, content_type, width, height, uploaded_by)
     SELECT p.id, $1, p.position, p.content_type, p.width, p.height, p.owner
       FROM unnest($2::uuid[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[]) AS p(id, position, content_type, width, height, owner)
     ON CONFLICT (photo_id) DO NOTHING RETURNING photo_id`,
    [
      record.id,
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
    actor,
    unitPath: record.unitPath,
    payload: { photoIds: tickets.map((ticket) => ticket.id), ownerType: 'serviceRecord', ownerId: record.id },
  });
}

/** Each record's photos, in the order given. */
export function photosByRecordLoader(manager: EntityManager): DataLoader<string, StoredPhoto[]> {
  return new DataLoader(async (ids) => {
    const rows: (StoredPhoto & { recordId: string })[] = await manager.query(
      `SELECT photo_id::text AS "photoId", record_id::text AS "recordId", width, height, content_type AS "contentType"
         FROM service_record_photo WHERE record_id = ANY($1::bigint[]) ORDER BY record_id, position`,
      [ids],
    );
    const byRecord = new Map<string, StoredPhoto[]>();
    for (const row of rows) byRecord.set(row.recordId, [...(byRecord.get(row.recordId) ?? []), row]);
    return ids.map((id) => byRecord.get(id) ?? []);
  });
}
