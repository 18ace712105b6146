import type { EntityManager } from 'typeorm';
import { EventActor, recordEvent } from '@kz/events';
import { eligibilityOf, STAR_NAME, starLadder } from './recognition.service';

/** A change of a volunteer's verified minutes, as the statement that made it returned it. */
export interface MinutesChange {
  volunteerId: string;
  before: number;
  after: number;
}

/**
 * Tells the unit that grants stars (and the volunteer) when verified minutes rise past a level of the ladder not yet
 * granted: `volunteer.star.eligible`, in the caller's transaction, so it is written once with the minutes that
 * caused it. The platform computes eligibility and a unit grants the star (办法 Art. 10; docs/records.md "Stars"):
 * this is the nudge to decide, not the star. Several levels passed at once announce the highest; minutes that fall
 * (a correction down) announce nothing, and a level already granted is not announced again.
 */
export async function announceStarEligibility(manager: EntityManager, actor: EventActor, changes: MinutesChange[]): Promise<void> {
  const rising = changes.filter((change) => change.after > change.before);
  if (rising.length === 0) return;
  const ladder = await starLadder(manager);
  const reached = rising
    .map((change) => ({ change, level: eligibilityOf(change.after, ladder).level }))
    .filter(({ change, level }) => level > eligibilityOf(change.before, ladder).level);
  if (reached.length === 0) return;
  const rows: { id: string; person_id: string; home_station_id: string | null; home_station_path: string | null; granted: number | null }[] =
    await manager.query(
      `SELECT v.id::text, v.person_id::text, v.home_station_id::text, v.home_station_path,
              (SELECT max(a.star_level) FROM award a WHERE a.volunteer_id = v.id) AS granted
         FROM volunteer v WHERE v.id = ANY($1::bigint[])`,
      [reached.map(({ change }) => change.volunteerId)],
    );
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const { change, level } of reached) {
    const volunteer = byId.get(change.volunteerId);
    if (!volunteer || (volunteer.granted ?? 0) >= level) continue;
    await recordEvent(manager, {
      type: 'volunteer.star.eligible',
      actor,
      unitPath: volunteer.home_station_path,
      payload: {
        volunteerId: volunteer.id,
        personId: volunteer.person_id,
        level,
        name: STAR_NAME(level),
        neededHours: ladder.find((step) => step.level === level)!.hours,
        verifiedHours: eligibilityOf(change.after, ladder).verifiedHours,
        stationId: volunteer.home_station_id,
      },
    });
  }
}
