import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { hydrate } from '@kz/db';
import { Forbidden } from '@kz/errors';
import { ChannelName, CHANNELS, NotificationPreference } from '@kz/notifications';
import { isBigintId, parseInput } from '@kz/subgraph';
import { setNotificationPreferenceInput } from './preference.input';

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
}
