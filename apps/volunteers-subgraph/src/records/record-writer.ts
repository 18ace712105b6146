import type { EntityManager } from 'typeorm';
import { holdOwnUnitStaff } from './held-records';

/** What an activity check-out hands to the service records (the contract between `activities/` and `records/`). */
export interface CheckOutService {
  volunteerId: string;
  activity: {
    id: string;
    title: string;
    category: string;
    organizingUnitId: string;
    organizingUnitPath: string;
    startsAt: Date;
    endsAt: Date;
    /** 办法 Art. 7: the record's place and content come from the activity, and its 活动负责人 as named now. */
    placeName: string;
    description: string | null;
    responsiblePersonId: string | null;
    responsibleName: string | null;
  };
  checkedInAt: Date;
  checkedOutAt: Date;
  /** Person id of whoever checked out (the volunteer). */
  by: string;
}

/** A record holds at most one day (the column's check); a longer window is capped there too. */
export const MAX_RECORD_MINUTES = 1440;

/**
 * The part of [check-in, check-out] that lies inside the activity's window [startsAt, endsAt], in whole minutes
 * (rounded down): arriving early or leaving late earns nothing extra, and a stay wholly outside the window earns 0.
 */
export function servedWithinWindow(checkedInAt: Date, checkedOutAt: Date, startsAt: Date, endsAt: Date): { startedAt: Date; minutes: number } {
  const start = Math.max(checkedInAt.getTime(), startsAt.getTime());
  const end = Math.min(checkedOutAt.getTime(), endsAt.getTime());
  const minutes = Math.min(MAX_RECORD_MINUTES, Math.max(0, Math.floor((end - start) / 60_000)));
  return { startedAt: new Date(Math.min(start, endsAt.getTime())), minutes };
}

/**
 * Makes the PENDING service record of a check-out, in the caller's transaction: minutes from check-in to check-out,
 * capped by the activity's window, with a CREATED history line, held for review when the volunteer is staff of the
 * activity's unit (`holdOwnUnitStaff`). Returns the record id. A second call for the same
 * volunteer and activity (a retried check-out) returns the existing record and changes nothing.
 */
export async function recordCheckOut(manager: EntityManager, service: CheckOutService): Promise<string> {
  const { activity } = service;
  const { startedAt, minutes } = servedWithinWindow(service.checkedInAt, service.checkedOutAt, activity.startsAt, activity.endsAt);
  const [created] = await manager.query(
    `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by,
                                 place, content, responsible_person_id, responsible_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'CHECK_OUT', $9, $10, $11, $12, $13)
     ON CONFLICT (volunteer_id, activity_id) WHERE activity_id IS NOT NULL DO NOTHING
     RETURNING id::text`,
    [
      service.volunteerId,
      activity.id,
      activity.organizingUnitId,
      activity.organizingUnitPath,
      activity.category,
      activity.title,
      startedAt,
      minutes,
      service.by,
      activity.placeName,
      activity.description?.trim() || activity.title,
      activity.responsiblePersonId,
      activity.responsibleName,
    ],
  );
  if (!created) {
    const [existing] = await manager.query('SELECT id::text FROM service_record WHERE volunteer_id = $1 AND activity_id = $2', [
      service.volunteerId,
      activity.id,
    ]);
    return existing.id;
  }
  await manager.query(
    `INSERT INTO service_record_change (record_id, action, new_minutes, changed_by) VALUES ($1, 'CREATED', $2, $3)`,
    [created.id, minutes, service.by],
  );
  await holdOwnUnitStaff(manager, [created.id]);
  return created.id;
}
