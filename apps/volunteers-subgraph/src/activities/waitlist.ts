import type { EntityManager } from 'typeorm';

/**
 * Gives up to `places` freed (or added) places to the earliest waitlisted sign-ups of an activity, in sign-up order,
 * and returns how many were promoted. Runs in the caller's transaction, which holds the activity row; rows another
 * transaction is changing right now (a volunteer cancelling their wait) are skipped rather than waited for.
 */
export async function promoteFromWaitlist(manager: EntityManager, activityId: string, places: number): Promise<number> {
  if (places <= 0) return 0;
  const [promoted] = await manager.query(
    `UPDATE activity_signup SET status = 'SIGNED_UP', updated_at = now()
      WHERE id IN (
        SELECT id FROM activity_signup
         WHERE activity_id = $1 AND status = 'WAITLISTED'
         ORDER BY signed_up_at, id LIMIT $2
         FOR UPDATE SKIP LOCKED)
      RETURNING id`,
    [activityId, places],
  );
  return (promoted as unknown[]).length;
}
