import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput } from '@kz/errors';

/** A reserved redemption's expiry as the dispatch worker's timer needs it (`schema.graphql`, `RedemptionExpiry`). */
export interface RedemptionExpiry {
  redemptionId: string;
  expiresAt: Date;
  unitPath: string | null;
}

const MAX_FIRST = 1000;

/**
 * The expiry timers of reserved redemptions, read from `redemption.expires_at` (partial index `redemption_expiry_idx`)
 * so the dispatch worker can rebuild the delayed jobs Redis lost. For the SERVICE role only; not in the public API.
 */
export class RedemptionExpiriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
  ) {}

  async list(args: { before?: Date | null; after?: string | null; first?: number | null }): Promise<{ items: RedemptionExpiry[]; nextCursor: string | null }> {
    this.actor.requireRole('SERVICE');
    const first = Math.min(Math.max(args.first ?? 500, 1), MAX_FIRST);
    const [afterAt, afterId] = args.after ? decodeCursor(args.after) : ['epoch', '0'];
    const rows = (await this.dataSource.query(
      `SELECT id::text AS id, expires_at, expires_at::text AS expires_text, station_path FROM redemption
        WHERE status = 'RESERVED' AND ($1::timestamptz IS NULL OR expires_at < $1) AND (expires_at, id) > ($2::timestamptz, $3::bigint)
        ORDER BY expires_at, id LIMIT $4`,
      [args.before ?? null, afterAt, afterId, first],
    )) as { id: string; expires_at: Date; expires_text: string; station_path: string | null }[];
    const last = rows[rows.length - 1];
    return {
      items: rows.map((row) => ({ redemptionId: row.id, expiresAt: row.expires_at, unitPath: row.station_path })),
      // The cursor keeps Postgres' own text of the time: a JS Date would cut its microseconds and repeat the row.
      nextCursor: rows.length === first && last ? Buffer.from(JSON.stringify([last.expires_text, last.id])).toString('base64url') : null,
    };
  }
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at !== 'string' || !/^[\d :.+-]+$/.test(at) || typeof id !== 'string' || !/^\d+$/.test(id)) throw new Error('bad cursor');
    return [at, id];
  } catch {
    throw new BadUserInput('after', { key: 'input.cursor' });
  }
}

export const redemptionExpiryResolvers = {
  Query: {
    redemptionExpiries: (
      _: unknown,
      args: { before?: Date | null; after?: string | null; first?: number | null },
      ctx: { redemptionExpiries: RedemptionExpiriesService },
    ) => ctx.redemptionExpiries.list(args),
  },
};
