import type { EntityManager } from 'typeorm';
import { PUSHED_TARGETS } from './exchange-targets';

/**
 * Queues records for a future push adapter, in the caller's transaction: one row per record and target, whatever
 * happens to the record later. A verification adds the row; a correction of a verified record sets it back to
 * PENDING with the next `revision` and zero attempts, keeping the external id the target gave it, so the adapter
 * updates the record it created before instead of creating another (idempotent by (record, target) and the id).
 */
export async function enqueueForExchange(manager: EntityManager, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await manager.query(
    `INSERT INTO exchange_outbox (record_id, target)
     SELECT record_id, target FROM unnest($1::bigint[]) AS record_id CROSS JOIN unnest($2::text[]) AS target
     ORDER BY record_id, target
     ON CONFLICT (record_id, target) DO UPDATE
       SET status = 'PENDING', attempts = 0, last_error = NULL, revision = exchange_outbox.revision + 1, updated_at = now()`,
    [recordIds, PUSHED_TARGETS],
  );
}
