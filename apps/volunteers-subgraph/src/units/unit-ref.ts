import type { DataSource } from 'typeorm';
import { EventEnvelope, EventHandlers, handleOnce } from '@kz/events';
import { PathColumn, unitReplicaHandlers } from '@kz/org-replica';

export { findUnit, upsertUnitRefs } from '@kz/org-replica';
export type { UnitRef } from '@kz/org-replica';

const CONSUMER = 'volunteers.unit-ref';
const LEGAL_CONSUMER = 'volunteers.unit-legal';

/** Every stored path of this database that follows a unit when it moves. */
export const VOLUNTEERS_PATH_COLUMNS: PathColumn[] = [
  { table: 'person', column: 'home_unit_path' },
  { table: 'person', column: 'staff_unit_path' },
  { table: 'volunteer', column: 'home_station_path' },
  { table: 'team_ref', column: 'home_unit_path' },
  { table: 'activity', column: 'organizing_unit_path' },
  { table: 'service_record', column: 'unit_path' },
  { table: 'service_certificate', column: 'unit_path' },
];

/**
 * The volunteers subgraph's inbound org events: the unit replica (shared with the other services through
 * `@kz/org-replica`) and the team replica `team_ref`, which only this service keeps.
 */
export function unitRefHandlers(dataSource: DataSource): EventHandlers {
  const upsertTeam = (event: EventEnvelope<'org.team.created' | 'org.team.updated'>) =>
    handleOnce(dataSource, CONSUMER, event, async (manager) => {
      const { teamId, code, name, kind, homeUnitId, homeUnitPath } = event.payload;
      await manager.query(
        `INSERT INTO team_ref (id, code, name, kind, home_unit_id, home_unit_path, version) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind,
           home_unit_id = EXCLUDED.home_unit_id, home_unit_path = EXCLUDED.home_unit_path, version = EXCLUDED.version
         WHERE team_ref.version <= EXCLUDED.version`,
        [teamId, code, name, kind, homeUnitId, homeUnitPath, event.occurredAt],
      );
    }).then(() => undefined);
  const replica = unitReplicaHandlers(dataSource, CONSUMER, VOLUNTEERS_PATH_COLUMNS);
  // A unit's legal identity, for certificates (办法 Art. 15): only events that carry it (`legal` absent leaves it).
  const upsertLegal = (event: EventEnvelope<'org.unit.created' | 'org.unit.updated'>) =>
    handleOnce(dataSource, LEGAL_CONSUMER, event, async (manager) => {
      const { unitId, legal } = event.payload;
      if (legal === undefined) return;
      await manager.query(
        `INSERT INTO unit_legal_ref (unit_id, legal_name, uscc, head_name, version) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (unit_id) DO UPDATE SET legal_name = EXCLUDED.legal_name, uscc = EXCLUDED.uscc, head_name = EXCLUDED.head_name,
           version = EXCLUDED.version
         WHERE unit_legal_ref.version <= EXCLUDED.version`,
        [unitId, legal?.legalName ?? null, legal?.uscc ?? null, legal?.headName ?? null, event.occurredAt],
      );
    }).then(() => undefined);
  return {
    ...replica,
    'org.unit.created': async (event, job) => {
      await replica['org.unit.created']!(event, job);
      await upsertLegal(event);
    },
    'org.unit.updated': async (event, job) => {
      await replica['org.unit.updated']!(event, job);
      await upsertLegal(event);
    },
    'org.team.created': upsertTeam,
    'org.team.updated': upsertTeam,
  };
}
