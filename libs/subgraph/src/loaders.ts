import DataLoader from 'dataloader';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { hydrate } from '@kz/db';
import type { Page } from './pagination';

/**
 * DataLoaders that make N lookups cost one SQL statement, for `__resolveReference` and list-of-children fields
 * (Apollo's federation docs call unbatched references the usual trap). Created per request, so caching never
 * outlives a request and never crosses callers.
 */
export function byIdLoader<E extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  target: EntityTarget<E>,
): DataLoader<string, E | null> {
  const table = manager.connection.getMetadata(target).tablePath;
  return new DataLoader(async (ids) => {
    const rows = await manager.query(`SELECT * FROM ${table} WHERE id = ANY($1::bigint[])`, [ids.filter(isBigintId)]);
    const byId = new Map(hydrate(manager, target, rows).map((entity) => [entity.id, entity]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export interface ChildPageKey {
  parentId: string;
  page: Page;
}

/**
 * One page of children for each of many parents: keys with the same page size and cursor share one statement
 * (a LATERAL join per parent), so a list of N parents with their children costs one query, not N.
 */
export function childPageLoader<E extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  target: EntityTarget<E>,
  foreignKey: { column: string; property: keyof E & string },
): DataLoader<ChildPageKey, E[], string> {
  const table = manager.connection.getMetadata(target).tablePath;
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, ChildPageKey[]>();
      for (const key of keys) {
        const group = `${key.page.limit}|${key.page.afterKey ?? ''}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const byParent = new Map<string, E[]>();
      for (const [group, members] of groups) {
        const { limit, afterKey } = members[0]!.page;
        const rows = await manager.query(
          `SELECT c.* FROM unnest($1::bigint[]) AS p(id)
           CROSS JOIN LATERAL (
             SELECT * FROM ${table} t
              WHERE t.${foreignKey.column} = p.id AND ($2::bigint IS NULL OR t.id > $2::bigint)
              ORDER BY t.id LIMIT $3
           ) c`,
          [members.map((key) => key.parentId), afterKey, limit + 1],
        );
        for (const entity of hydrate(manager, target, rows)) {
          const parentKey = `${group}|${String(entity[foreignKey.property])}`;
          byParent.set(parentKey, [...(byParent.get(parentKey) ?? []), entity]);
        }
      }
      return keys.map((key) => byParent.get(`${key.page.limit}|${key.page.afterKey ?? ''}|${key.parentId}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.parentId}|${key.page.limit}|${key.page.afterKey ?? ''}` },
  );
}

/** How many children each of many parents has, in one GROUP BY. */
export function childCountLoader(
  manager: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  foreignKeyColumn: string,
): DataLoader<string, number> {
  const table = manager.connection.getMetadata(target).tablePath;
  return new DataLoader(async (parentIds) => {
    const rows: { parent: string; n: number }[] = await manager.query(
      `SELECT ${foreignKeyColumn}::text AS parent, count(*)::int AS n FROM ${table}
        WHERE ${foreignKeyColumn} = ANY($1::bigint[]) GROUP BY ${foreignKeyColumn}`,
      [parentIds],
    );
    const counts = new Map(rows.map((row) => [row.parent, row.n]));
    return parentIds.map((id) => counts.get(id) ?? 0);
  });
}

/** Ids are bigint serials; anything else cannot match a row (and must not reach the cast). */
export function isBigintId(id: string): boolean {
  return /^[1-9]\d{0,17}$/.test(id);
}
