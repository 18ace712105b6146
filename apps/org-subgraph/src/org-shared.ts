import type { EntityManager } from 'typeorm';
import type { Claims } from '@kz/auth';
import type { EventActor } from '@kz/events';

/**
 * Serialises tree moves against everything that reads a unit's path to write it elsewhere (creating a child,
 * basing a team). Moves take it exclusively, the rest shared, so they never see a path that is being rewritten.
 */
export async function lockTree(manager: EntityManager, mode: 'shared' | 'exclusive'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await manager.query(`SELECT ${fn}(hashtext('org-tree'))`);
}

export function actorOf(claims: Claims): EventActor {
  return { personId: claims.sub, roles: claims.roles };
}
