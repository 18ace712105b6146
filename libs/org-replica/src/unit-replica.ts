import type { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventHandlers, handleOnce } from '@kz/events';

/**
 * A service's replica of the org subgraph's units (id, code, path, level, name) in its own `unit_ref` table, so scope
 * checks never call another service. Fed by `org.unit.created/updated/moved` on the service's inbound queue.
 */
export interface UnitRef {
  id: string;
  code: string;
  path: string;
  level: 'CENTER' | 'INSTITUTE' | 'STATION' | 'POINT';
  name: string;
}

/** Anything that runs a parameterised statement: an EntityManager, a QueryRunner, a DataSource. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** A stored path column that a unit move must rewrite (`table.column` holding a materialized path). */
export interface PathColumn {
  table: string;
  column: string;
}

export async function findUnit(manager: EntityManager, id: string): Promise<UnitRef | null> {
  if (!/^[1-9]\d{0,17}$/.test(id)) return null;
  const [row] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = $1', [id]);
  return (row as UnitRef | undefined) ?? null;
}

/** Inserts or refreshes replica rows, unless a newer version is already there. Also used by seeding. */
export async function upsertUnitRefs(manager: SqlRunner, units: UnitRef[], version: string): Promise<void> {
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

/** Replaces the prefix `oldPath` by `newPath` in `unit_ref` and in every given path column. */
export async function rewritePaths(manager: SqlRunner, columns: PathColumn[], oldPath: string, newPath: string): Promise<void> {
  await rewritePathColumns(manager, [{ table: 'unit_ref', column: 'path' }, ...columns], oldPath, newPath);
}

/**
 * Replaces the prefix `oldPath` by `newPath` in the given path columns only, for a service that stores paths without
 * keeping a `unit_ref` replica. A path equal to `oldPath` or below it (`oldPath/…`) moves; one that merely starts with
 * the same characters (`1/7/123` under `1/7/12`) does not.
 */
export async function rewritePathColumns(manager: SqlRunner, columns: PathColumn[], oldPath: string, newPath: string): Promise<void> {
  for (const { table, column } of columns) {
    await manager.query(
      `UPDATE ${table} SET ${column} = $2 || substr(${column}, length($1) + 1)
        WHERE ${column} = $1 OR ${column} LIKE $1 || '/%'`,
      [oldPath, newPath],
    );
  }
}

/**
 * Handlers that keep `unit_ref` in step. Each event applies once per consumer (`handleOnce`), and an older event never
 * overwrites what a newer one wrote (`version` is the event time), so redelivery and reordering are harmless. A move
 * rewrites the replica and the service's own path columns in one transaction.
 */
export function unitReplicaHandlers(dataSource: DataSource, consumer: string, pathColumns: PathColumn[]): EventHandlers {
  const upsert = (event: EventEnvelope<'org.unit.created' | 'org.unit.updated'>) =>
    handleOnce(dataSource, consumer, event, async (manager) => {
      const { unitId, code, path, level, name } = event.payload;
      await upsertUnitRefs(manager, [{ id: unitId, code, path, level, name }], event.occurredAt);
    }).then(() => undefined);
  return {
    'org.unit.created': upsert,
    'org.unit.updated': upsert,
    'org.unit.moved': (event) =>
      handleOnce(dataSource, consumer, event, async (manager) => {
        await rewritePaths(manager, pathColumns, event.payload.oldPath, event.payload.newPath);
        await manager.query('UPDATE unit_ref SET version = greatest(version, $2) WHERE id = $1', [event.payload.unitId, event.occurredAt]);
      }).then(() => undefined),
  };
}
