import type { DataSource } from 'typeorm';
import { catalog, EventHandlers, handleOnce, PermanentFailure } from '@kz/events';
import { isBigintId } from '@kz/subgraph';

/** The consumer name under which the points service records the ranking choices it has kept (`processed_event`). */
export const RANKING_CONSUMER = 'points.ranking';

/**
 * `volunteer.ranking.changed` → the person's choice in `ranking_preference`. Once per event (`handleOnce`), and the
 * latest choice wins whatever order the events arrive in (`chosen_at`, the event's `occurredAt`): a redelivered or
 * late older event changes nothing.
 */
export function rankingHandlers(dataSource: DataSource): EventHandlers {
  return {
    'volunteer.ranking.changed': async (event) => {
      const payload = catalog['volunteer.ranking.changed'].payload.safeParse(event.payload);
      if (!payload.success) throw new PermanentFailure(`volunteer.ranking.changed ${event.id}: ${payload.error.issues[0]?.message}`);
      if (!isBigintId(payload.data.personId)) throw new PermanentFailure(`volunteer.ranking.changed ${event.id}: personId is not a person id`);
      if (Number.isNaN(Date.parse(event.occurredAt))) throw new PermanentFailure(`volunteer.ranking.changed ${event.id}: occurredAt is not a time`);
      await handleOnce(dataSource, RANKING_CONSUMER, event, async (manager) => {
        await manager.query(
          `INSERT INTO ranking_preference AS r (person_id, public_ranking, chosen_at) VALUES ($1, $2, $3)
           ON CONFLICT (person_id) DO UPDATE SET public_ranking = EXCLUDED.public_ranking, chosen_at = EXCLUDED.chosen_at
            WHERE r.chosen_at <= EXCLUDED.chosen_at`,
          [payload.data.personId, payload.data.publicRanking, event.occurredAt],
        );
      });
    },
  };
}
