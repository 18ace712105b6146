export { findUnit, rewritePaths, unitReplicaHandlers, upsertUnitRefs } from './unit-replica';
export type { PathColumn, UnitRef } from './unit-replica';
