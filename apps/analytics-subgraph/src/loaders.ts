import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { UnitRef } from '@kz/org-replica';
import { isBigintId } from '@kz/subgraph';

/** Every batched lookup of the analytics subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    /** Units of the replica by id: the units of one answer in one `WHERE id = ANY($1)`. */
    unitRefById: new DataLoader<string, UnitRef | null>(async (ids) => {
      const rows: UnitRef[] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = ANY($1::bigint[])', [
        ids.filter(isBigintId),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type AnalyticsLoaders = ReturnType<typeof createLoaders>;
