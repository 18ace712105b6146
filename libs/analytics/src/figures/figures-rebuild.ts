import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@kz/events';
import { applyEvent, ApplyOutcome, FIGURES_SUBSCRIPTION, FIGURES_TABLES } from './figures-apply';

export type RebuildCounts = Record<ApplyOutcome, number>;

/**
 * Empties the figures and applies the archive again, oldest first (occurred_at, archived_at, id), in pages, through
 * the job's own `applyEvent`; all in one transaction, so readers see the old figures until the new ones are complete
 * and a running figures job waits on the emptied tables, then finds every event it holds already applied.
 */
export async function rebuildFigures(db: DataSource, pageSize = 1000): Promise<RebuildCounts> {
  return db.transaction(async (manager) => {
    await manager.query(`TRUNCATE ${FIGURES_TABLES.join(', ')}`);
    const counts: RebuildCounts = { applied: 0, duplicate: 0, skipped: 0 };
    // Keyset paging on text forms of the times, which keep the microseconds a JS Date would lose.
    let after: { occurred_at: string; archived_at: string; id: string } | undefined;
    for (;;) {
      const page = (await manager.query(
        `SELECT occurred_at::text AS occurred_at, archived_at::text AS archived_at, id::text AS id, envelope
         FROM event_archive
         WHERE event_type_matches(type, $1)
           AND ($2::timestamptz IS NULL OR (occurred_at, archived_at, id) > ($2::timestamptz, $3::timestamptz, $4::uuid))
         ORDER BY occurred_at, archived_at, id LIMIT $5`,
        [FIGURES_SUBSCRIPTION.types, after?.occurred_at ?? null, after?.archived_at ?? null, after?.id ?? null, pageSize],
      )) as { occurred_at: string; archived_at: string; id: string; envelope: EventEnvelope }[];
      for (const row of page) counts[await applyEvent(manager, row.envelope)] += 1;
      if (page.length < pageSize) return counts;
      after = page[page.length - 1];
    }
  });
}
