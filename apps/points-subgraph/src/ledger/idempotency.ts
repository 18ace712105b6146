import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { Conflict } from '@kz/errors';

/** The `idempotencyKey` of an input: 8–100 characters, as `idempotency_record` stores them. */
export const idempotencyKeyField = () =>
  z.string().refine((key) => key.length >= 8 && key.length <= 100, { params: { key: 'points.idempotencyKey', min: 8, max: 100 } });

/**
 * Runs a value-moving operation at most once per (caller, idempotency key). The key is claimed in the same
 * transaction as the effect: concurrent repeats wait on the claim, then read the first result instead of moving
 * anything. A key reused for a different request is a CONFLICT, not a silent replay.
 */
export async function once<T extends object>(
  dataSource: DataSource,
  claim: { actor: string; key: string; operation: string; request: unknown },
  effect: (manager: EntityManager) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const requestHash = createHash('sha256').update(JSON.stringify(claim.request)).digest('hex');
  const attempt = () =>
    dataSource.transaction(async (manager) => {
      const claimed: unknown[] = await manager.query(
        `INSERT INTO idempotency_record (actor, key, operation, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING key`,
        [claim.actor, claim.key, claim.operation, requestHash],
      );
      if (claimed.length === 0) {
        const [first] = await manager.query(
          'SELECT operation, request_hash, response FROM idempotency_record WHERE actor = $1 AND key = $2',
          [claim.actor, claim.key],
        );
        if (first.operation !== claim.operation || first.request_hash !== requestHash) {
          throw new Conflict('input.idempotencyKey', claim.key, 'points.idempotencyReused');
        }
        return { result: first.response as T, replayed: true };
      }
      const result = await effect(manager);
      await manager.query('UPDATE idempotency_record SET response = $3 WHERE actor = $1 AND key = $2', [claim.actor, claim.key, JSON.stringify(result)]);
      return { result, replayed: false };
    });
  return attempt();
}
