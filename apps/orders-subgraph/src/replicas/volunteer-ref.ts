import type { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventHandlers, handleOnce } from '@kz/events';

const CONSUMER = 'orders.volunteer-ref';

export interface VolunteerRef {
  id: string;
  personId: string;
  status: string;
  stationId: string | null;
}

type VolunteerEvent = 'volunteer.registered' | 'volunteer.approved' | 'volunteer.rejected' | 'volunteer.suspended' | 'volunteer.reinstated';

const STATUS_AFTER: Record<VolunteerEvent, string> = {
  'volunteer.registered': 'PENDING',
  'volunteer.approved': 'ACTIVE',
  'volunteer.rejected': 'REJECTED',
  'volunteer.suspended': 'SUSPENDED',
  'volunteer.reinstated': 'ACTIVE',
};

/** Inserts or refreshes replica rows unless a newer version is there (events and seeding both use it). */
export async function upsertVolunteerRefs(manager: EntityManager, volunteers: VolunteerRef[], version: string): Promise<void> {
  if (volunteers.length === 0) return;
  await manager.query(
    `INSERT INTO volunteer_ref (id, person_id, status, station_id, version)
     SELECT id, person_id, status, station_id, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS v(id, person_id, status, station_id)
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, status = EXCLUDED.status, station_id = EXCLUDED.station_id,
                                    version = EXCLUDED.version
     WHERE volunteer_ref.version <= EXCLUDED.version`,
    [volunteers.map((v) => v.id), volunteers.map((v) => v.personId), volunteers.map((v) => v.status), volunteers.map((v) => v.stationId), version],
  );
}

/**
 * Keeps `volunteer_ref` (volunteer id → person) in step with the volunteers subgraph's decisions, so a volunteer who
 * signs in (their token names their person) sees the orders assigned to their volunteer profile. Applied once per
 * event; an older event never overwrites a newer one.
 */
export function volunteerRefHandlers(dataSource: DataSource): EventHandlers {
  const apply = (event: EventEnvelope<VolunteerEvent>) =>
    handleOnce(dataSource, CONSUMER, event, async (manager) => {
      const { volunteerId, personId, stationId } = event.payload;
      await upsertVolunteerRefs(manager, [{ id: volunteerId, personId, status: STATUS_AFTER[event.type], stationId }], event.occurredAt);
    }).then(() => undefined);
  // A closed account: the volunteer replica reads CLOSED, so the orders service knows they are never assignable again.
  const close = (event: EventEnvelope<'person.account.closed'>) =>
    handleOnce(dataSource, CONSUMER, event, async (manager) => {
      const { volunteerId, personId, stationId } = event.payload;
      if (volunteerId) await upsertVolunteerRefs(manager, [{ id: volunteerId, personId, status: 'CLOSED', stationId }], event.occurredAt);
    }).then(() => undefined);
  return {
    'person.account.closed': close,
    'volunteer.registered': apply,
    'volunteer.approved': apply,
    'volunteer.rejected': apply,
    'volunteer.suspended': apply,
    'volunteer.reinstated': apply,
  };
}
