import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Turns rows of a raw SQL query (`SELECT t.* …`, snake_case columns) into entity instances, for the queries the
 * query builder cannot express well (window functions, LATERAL joins, recursive paths).
 */
export function hydrate<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: Record<string, unknown>[]): E[] {
  const metadata = manager.connection.getMetadata(target);
  return rows.map((row) => {
    const entity = metadata.create() as E;
    for (const column of metadata.columns) {
      if (column.databaseName in row) {
        column.setEntityValue(entity, row[column.databaseName]);
      }
    }
    return entity;
  });
}
