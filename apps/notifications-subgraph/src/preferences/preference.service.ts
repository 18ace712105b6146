import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { hydrate } from '@kz/db';
import { Forbidden } from '@kz/errors';
import { ChannelName, CHANNELS, defaultChannels, EVERY_KIND, NotificationPreference } from '@kz/notifications';
import { isBigintId, parseInput } from '@kz/subgraph';
import { recordWeChatSubscriptionInput, setNotificationPreferenceInput } from './preference.input';

/** A person's own channel choices; the inbox is always one of them. */
export class PreferenceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
  ) {}

  async mine(): Promise<NotificationPreference[]> {
    const claims = this.actor.requireAuthenticated();
    if (!isBigintId(claims.sub)) return [];
    const rows = await this.dataSource.query('SELECT * FROM notification_preference WHERE person_id = $1 ORDER BY kind', [claims.sub]);
    return hydrate(this.dataSource.manager, NotificationPreference, rows);
  }

  async set(raw: unknown): Promise<NotificationPreference> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(setNotificationPreferenceInput, raw);
    if (!isBigintId(claims.sub)) throw new Forbidden(); // a worker has no preferences
    const channels = CHANNELS.filter((channel: ChannelName) => channel === 'INBOX' || input.channels.includes(channel));
    const rows = await this.dataSource.query(
      `INSERT INTO notification_preference (person_id, kind, channels, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (person_id, kind) DO UPDATE SET channels = EXCLUDED.channels, updated_at = now() RETURNING *`,
      [claims.sub, input.kind, channels],
    );
    return hydrate(this.dataSource.manager, NotificationPreference, rows)[0]!;
  }

  /**
   * What the person accepted in `wx.requestSubscribeMessage`: WECHAT joins their channels for each kind, added to what
   * applied to the kind before (its own row, else their `*` row, else a resident's defaults), so nothing they had is
   * lost. One transaction; returns the stored rows.
   */
  async recordWeChatSubscription(raw: unknown): Promise<NotificationPreference[]> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(recordWeChatSubscriptionInput, raw);
    if (!isBigintId(claims.sub)) throw new Forbidden(); // a worker has no preferences
    const kinds = [...new Set(input.kinds)];
    return this.dataSource.transaction(async (manager) => {
      const rows: { kind: string; channels: string[] }[] = await manager.query(
        'SELECT kind, channels FROM notification_preference WHERE person_id = $1 AND kind = ANY($2::text[]) FOR UPDATE',
        [claims.sub, [...kinds, EVERY_KIND]],
      );
      const current = new Map(rows.map((row) => [row.kind, row.channels]));
      const stored: Record<string, unknown>[] = [];
      for (const kind of kinds) {
        const before = current.get(kind) ?? current.get(EVERY_KIND) ?? defaultChannels(kind, 'RESIDENT', false);
        const channels = CHANNELS.filter((channel: ChannelName) => channel === 'INBOX' || channel === 'WECHAT' || before.includes(channel));
        const [row] = await manager.query(
          `INSERT INTO notification_preference (person_id, kind, channels, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (person_id, kind) DO UPDATE SET channels = EXCLUDED.channels, updated_at = now() RETURNING *`,
          [claims.sub, kind, channels],
        );
        stored.push(row);
      }
      return hydrate(manager, NotificationPreference, stored);
    });
  }
}
