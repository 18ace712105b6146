import type { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventHandlers, handleOnce } from '@kz/events';
import { isBigintId } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { activityCategoryOf } from '../orders/order-category';
import { responsiblePerson } from '../activities/activity.service';
import { findUnit } from '../units/unit-ref';
import { holdOwnUnitStaff } from './held-records';
import { MAX_RECORD_MINUTES } from './record-writer';

const CONSUMER = 'volunteers.order-minutes';

/** A station the replica does not know yet: org's event may still be on its way, so the job is retried. */
export class StationNotReplicated extends Error {
  constructor(stationId: string) {
    super(`order.delivered names station ${stationId}, which unit_ref does not hold (yet)`);
    this.name = 'StationNotReplicated';
  }
}

/** What happened to one delivered order's minutes. */
export interface OrderMinutesOutcome {
  /** False when this event had been handled before (a redelivery): nothing was done. */
  applied: boolean;
  /** Ids of the records made now; a volunteer who already has a record of the order's round keeps it and is not listed. */
  created: string[];
  /** Volunteer ids the payload names that this subgraph does not know (or that have no unit to book the service to). */
  skipped: string[];
}

/**
 * The volunteers subgraph's side of `order.delivered`, on `volunteers-inbox`: the minutes each volunteer served in
 * the delivery round become a PENDING service record (source ORDER), which a station admin verifies like any other.
 */
export function orderMinutesHandlers(dataSource: DataSource, log?: Logger): EventHandlers {
  return {
    'order.delivered': async (event) => {
      const outcome = await recordOrderMinutes(dataSource, event);
      if (outcome.skipped.length > 0) {
        log?.warn({ eventId: event.id, orderId: event.payload.orderId, volunteerIds: outcome.skipped }, 'order minutes of unknown volunteers skipped');
      }
    },
  };
}

/**
 * Records the minutes of one delivery round of an order: one PENDING record per volunteer with minutes (> 0), booked
 * to the order's station, under the activity category of the order's category, with a CREATED history line.
 *
 * An order reopened after an evaluation of NO is delivered again in the next round, and the volunteers served again:
 * each round is a record of its own (`orderRound`), so the records of an order add up to the order's minutes. Once
 * per event (`handleOnce`), and once per (volunteer, order, round) whatever the event (the unique index
 * `service_record_order_key`): another event of the same round, concurrent or later, finds the records and adds
 * none. An event without a round (written before rounds) is round 1. A volunteer this subgraph does not know is
 * skipped; the others are recorded. A round flagged `staffDuty` makes no records; a volunteer who is staff of the
 * station (or above) gets a held record (`holdOwnUnitStaff`).
 */
export async function recordOrderMinutes(dataSource: DataSource, event: EventEnvelope<'order.delivered'>): Promise<OrderMinutesOutcome> {
  const outcome: OrderMinutesOutcome = { applied: false, created: [], skipped: [] };
  outcome.applied = await handleOnce(dataSource, CONSUMER, event, async (manager) => {
    outcome.created = [];
    outcome.skipped = [];
    const { payload } = event;
    // 条例 Art. 19: a round the station declared staff duty is not volunteer service; its minutes stay on the order.
    if (payload.staffDuty) return;
    const served = Object.entries(payload.minutesByVolunteer ?? {}).filter(([, minutes]) => minutes > 0);
    if (served.length === 0) return;
    outcome.skipped.push(...served.filter(([id]) => !isBigintId(id)).map(([id]) => id));
    const known = await volunteersOf(manager, served.map(([id]) => id).filter(isBigintId));
    const station = payload.stationId ? await findUnit(manager, payload.stationId) : null;
    if (payload.stationId && !station) throw new StationNotReplicated(payload.stationId);

    const rows: { volunteerId: string; minutes: number; unitId: string; unitPath: string }[] = [];
    for (const [volunteerId, minutes] of served) {
      if (!isBigintId(volunteerId)) continue;
      const volunteer = known.get(volunteerId);
      // Without a station on the event, the service is booked to the volunteer's home station.
      const unit = station ?? (volunteer?.homeStationId ? { id: volunteer.homeStationId, path: volunteer.homeStationPath! } : null);
      if (!volunteer || !unit) {
        outcome.skipped.push(volunteerId);
        continue;
      }
      // A record holds at most one day (the column's check), as a check-out's does.
      rows.push({ volunteerId, minutes: Math.min(minutes, MAX_RECORD_MINUTES), unitId: unit.id, unitPath: unit.path });
    }
    if (rows.length === 0) return;

    const createdBy = 'personId' in event.actor ? event.actor.personId : `system:${event.actor.system}`;
    // 办法 Art. 7: the place and content are the event's (the station and the 小区, never the resident's address; the
    // category and the title), the 负责人 the staff member who delivered it, as named now. An older event without
    // them gives the title as content and no place.
    const responsible = 'personId' in event.actor ? await responsiblePerson(manager, event.actor.personId, null) : null;
    const title = payload.title?.trim() || `服务订单 ${payload.orderId}`;
    const content = payload.content?.trim() || title;
    const place = payload.place?.trim() || null;
    const startedAt = payload.startedAt ?? payload.deliveredAt ?? event.occurredAt;
    const made: { record_id: string }[] = await manager.query(
      `WITH made AS (
         INSERT INTO service_record (volunteer_id, order_id, order_round, unit_id, unit_path, category, title, started_at, minutes, source, created_by,
                                     content, place, responsible_person_id, responsible_name)
         SELECT t.volunteer_id, $1, $10, t.unit_id, t.unit_path, $2, $3, $4, t.minutes, 'ORDER', $5, $13, $14, $11, $12
           FROM unnest($6::bigint[], $7::int[], $8::bigint[], $9::text[]) AS t(volunteer_id, minutes, unit_id, unit_path)
          ORDER BY t.volunteer_id
         ON CONFLICT (volunteer_id, order_id, order_round) WHERE order_id IS NOT NULL DO NOTHING
         RETURNING id, minutes
       )
       INSERT INTO service_record_change (record_id, action, new_minutes, changed_by)
       SELECT id, 'CREATED', minutes, $5 FROM made ORDER BY id
       RETURNING record_id::text`,
      [
        payload.orderId,
        activityCategoryOf(payload.category),
        title,
        startedAt,
        createdBy,
        rows.map((row) => row.volunteerId),
        rows.map((row) => row.minutes),
        rows.map((row) => row.unitId),
        rows.map((row) => row.unitPath),
        payload.round ?? 1,
        responsible?.id ?? null,
        responsible?.name ?? null,
        content,
        place,
      ],
    );
    outcome.created = made.map((row) => row.record_id);
    await holdOwnUnitStaff(manager, outcome.created);
  });
  return outcome;
}

async function volunteersOf(manager: EntityManager, ids: string[]): Promise<Map<string, { homeStationId: string | null; homeStationPath: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows: { id: string; home_station_id: string | null; home_station_path: string | null }[] = await manager.query(
    'SELECT id::text, home_station_id::text, home_station_path FROM volunteer WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, { homeStationId: row.home_station_id, homeStationPath: row.home_station_path }]));
}
