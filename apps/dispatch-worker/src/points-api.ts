import type { ServiceClient } from '@kz/worker';

/** A reserved redemption's expiry as the points subgraph reads it from `redemption.expires_at`. */
export interface RedemptionExpiry {
  redemptionId: string;
  expiresAt: string;
  unitPath: string | null;
}

const EXPIRIES = `query RedemptionExpiries($before: DateTime, $after: String) {
  redemptionExpiries(before: $before, after: $after, first: 500) { items { redemptionId expiresAt unitPath } nextCursor }
}`;

/** The points subgraph as the worker uses it: only to rebuild the expiry timers of reserved redemptions. */
export class PointsApi {
  constructor(private readonly client: ServiceClient) {}

  async redemptionExpiries(before: Date | null, after: string | null): Promise<{ items: RedemptionExpiry[]; nextCursor: string | null }> {
    type Page = { items: RedemptionExpiry[]; nextCursor: string | null };
    const result = await this.client.call<{ redemptionExpiries: Page }>('redemptionExpiries', EXPIRIES, { before: before?.toISOString() ?? null, after });
    if (!result.done) throw new Error(`redemptionExpiries was refused: ${result.movedOn}`);
    return result.data.redemptionExpiries;
  }
}
