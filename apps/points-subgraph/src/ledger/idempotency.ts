import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { Conflict } from '@kz/errors';

/** The `idempotencyKey` of an input: 8–100 characters, as `idempotency_record` stores them. */
export const idempotencyKeyField = () =>
  z.string().refine((key) => key.length >= 8 && key.length <= 100, { params: { key: 'points.idempotencyKey', min: 8, max: 100 } });

/** What identifies a request under its key: a key reused for another request is a CONFLICT. */
export function requestHashOf(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

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
  const requestHash = requestHashOf(claim.request);
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

/** The row a one-statement fast path answers with (migration 1769100000000-ledger-fast-paths). */
export interface FastAnswer {
  /** Whether the key was claimed already: then the operation, hash and answer are the first request's. */
  was_replayed: boolean;
  first_operation: string;
  first_request_hash: string;
  answer: unknown;
}

/** The SQLSTATE a fast path raises when the request needs the general path; nothing it did is kept. */
export const GENERAL_PATH = 'KZ000';

const sqlStateOf = (error: unknown): unknown => ((error as { driverError?: { code?: unknown } }).driverError ?? (error as { code?: unknown }))?.code;

/**
 * `once` for an operation whose common case is one autocommitted statement (`fast`, given the request's hash): the
 * claim, the effect and the answer all happen inside it, under the same rules as `once` (same key, same request: the
 * first answer; same key, another request: CONFLICT). When `fast` raises `GENERAL_PATH` (a missing account, a limit, an
 * error to explain), it rolled back entirely and `general`, the operation's full path through `once`, decides. The
 * fast path's row comes back too (`row`), for what else it answers.
 */
export async function onceFast<T extends object, R extends FastAnswer = FastAnswer>(
  claim: { operation: string; key: string; request: unknown },
  fast: (requestHash: string) => Promise<R[]>,
  general: () => Promise<{ result: T; replayed: boolean }>,
): Promise<{ result: T; replayed: boolean; row?: R }> {
  const requestHash = requestHashOf(claim.request);
  let rows: R[];
  try {
    rows = await fast(requestHash);
  } catch (error) {
    if (sqlStateOf(error) === GENERAL_PATH) return general();
    throw error;
  }
  const [row] = rows;
  if (!row) throw new Error(`${claim.operation}: the fast path answered nothing`);
  if (row.was_replayed && (row.first_operation !== claim.operation || row.first_request_hash !== requestHash)) {
    throw new Conflict('input.idempotencyKey', claim.key, 'points.idempotencyReused');
  }
  return { result: row.answer as T, replayed: row.was_replayed, row };
}
