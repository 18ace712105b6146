import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import { Volunteer } from '../volunteers/volunteer.entity';

/** A volunteer who may be suggested, with the load the fairness part of the score reads. */
export interface SuggestionCandidate {
  volunteer: Volunteer;
  /** Service records (pending or verified, not rejected) that started in the last 30 days. */
  recentServices: number;
}

/** The batched lookups of suggestions, created fresh for each request with the other loaders. */
export function createSuggestionLoaders(manager: EntityManager) {
  return {
    /**
     * The ACTIVE volunteers of each station with their services of the last 30 days: one statement for any number
     * of stations, so suggestions for N orders cost the same as for one.
     */
    suggestionCandidatesByStation: new DataLoader<string, SuggestionCandidate[]>(async (stationIds) => {
      const rows: Record<string, unknown>[] = await manager.query(
        `SELECT v.*, r.n AS recent_services
           FROM volunteer v
           CROSS JOIN LATERAL (
             SELECT count(*)::int AS n FROM service_record r
              WHERE r.volunteer_id = v.id AND r.status <> 'REJECTED' AND r.started_at >= now() - interval '30 days'
           ) r
          WHERE v.home_station_id = ANY($1::bigint[]) AND v.status = 'ACTIVE'
          ORDER BY v.home_station_id, v.id`,
        [stationIds],
      );
      const byStation = new Map<string, SuggestionCandidate[]>();
      hydrate(manager, Volunteer, rows).forEach((volunteer, index) => {
        const station = String(volunteer.homeStationId);
        byStation.set(station, [...(byStation.get(station) ?? []), { volunteer, recentServices: Number(rows[index]!.recent_services) }]);
      });
      return stationIds.map((id) => byStation.get(id) ?? []);
    }),
  };
}

export type SuggestionLoaders = ReturnType<typeof createSuggestionLoaders>;
