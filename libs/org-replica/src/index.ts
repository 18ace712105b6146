export { findUnit, rewritePathColumns, rewritePaths, unitReplicaHandlers, upsertUnitRefs } from './unit-replica';
export type { PathColumn, SqlRunner, UnitRef } from './unit-replica';
