export { findUnit, rewritePathColumns, rewritePaths, unitReplicaHandlers, upsertUnitRefs } from './unit-replica';
export type { PathColumn, UnitRef } from './unit-replica';
