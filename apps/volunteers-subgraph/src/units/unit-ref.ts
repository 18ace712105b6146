import type { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventHandlers, handleOnce } from '@kz/events';

export interface UnitRef {
  id: string;
  code: string;
  path: string;
  level: 'CENTER' | 'INSTITUTE' | 'STATION' | 'POINT';
  name: string;
}

/** Looks a unit up in the local replica (ids and paths of the org subgraph's units). */
export async function findUnit(manager: EntityManager, id: string): Promise<UnitRef | null> {
  const [row] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = $1', [id]);
  return (row as UnitRef | undefined) ?? null;
}

const CONSUMER = 'volunteers.unit-ref';

/**
 * Keeps `unit_ref` in step with the org subgraph's events. Each event applies once (`handleOnce`), and an older
 * event never overwrites what a newer one wrote (`version` is the event time), so redelivery and reordering are
 * harmless. A move rewrites every stored path below the old one: units, people and volunteers.
 */
export function unitRefHandlers(dataSource: DataSource): EventHandlers {
  const upsert = (event: EventEnvelope<'org.unit.created' | 'org.unit.updated'>) =>
    handleOnce(dataSource, CONSUMER, event, async (manager) => {
      const { unitId, code, path, level, name } = event.payload;
      await upsertUnitRefs(manager, [{ id: unitId, code, path, level, name }], event.occurredAt);
    }).then(() => undefined);
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
  return {
    'org.team.created': upsertTeam,
    'org.team.updated': upsertTeam,
    'org.unit.created': upsert,
    'org.unit.updated': upsert,
    'org.unit.moved': (event) =>
      handleOnce(dataSource, CONSUMER, event, async (manager) => {
        await rewritePaths(manager, event.payload.oldPath, event.payload.newPath);
        await manager.query('UPDATE unit_ref SET version = greatest(version, $2) WHERE id = $1', [event.payload.unitId, event.occurredAt]);
      }).then(() => undefined),
  };
}

/** Replaces the prefix `oldPath` by `newPath` in every stored path of this database. */
export async function rewritePaths(manager: EntityManager, oldPath: string, newPath: string): Promise<void> {
  for (const [table, column] of [
    ['unit_ref', 'path'],
    ['person', 'home_unit_path'],
    ['person', 'staff_unit_path'],
    ['volunteer', 'home_station_path'],
    ['team_ref', 'home_unit_path'],
    ['activity', 'organizing_unit_path'],
    ['service_record', 'unit_path'],
  ] as const) {
    await manager.query(
      `UPDATE ${table} SET ${column} = $2 || substr(${column}, length($1) + 1)
        WHERE ${column} = $1 OR ${column} LIKE $1 || '/%'`,
      [oldPath, newPath],
    );
  }
}

/** Inserts or refreshes replica rows, unless a newer version is already there. Also used by seeding. */
export async function upsertUnitRefs(manager: EntityManager, units: UnitRef[], version: string): Promise<void> {
  await manager.query(
    `INSERT INTO unit_ref (id, code, path, level, name, version)
     SELECT id, code, path, level, name, $6 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
       AS u(id, code, path, level, name)
     ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, path = EXCLUDED.path, level = EXCLUDED.level,
                                    name = EXCLUDED.name, version = EXCLUDED.version
     WHERE unit_ref.version <= EXCLUDED.version`,
    [units.map((u) => u.id), units.map((u) => u.code), units.map((u) => u.path), units.map((u) => u.level), units.map((u) => u.name), version],
  );
}
