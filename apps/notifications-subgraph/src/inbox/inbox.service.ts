import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { hydrate } from '@kz/db';
import { Forbidden } from '@kz/errors';
import { Notification } from '@kz/notifications';
import { Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { NotificationsLoaders } from '../loaders';
import { markNotificationsReadInput } from './inbox.input';

const CURSOR_KIND = 'notification';

const empty = (): Connection<Notification> => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: async () => 0 });

/**
 * A person's inbox. Everything is keyed on the caller's own person id from the token: there is no argument that could
 * name someone else's inbox, so nobody reads or marks another's notifications.
 */
export class InboxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: NotificationsLoaders,
  ) {}

  /** The caller's person id, or null for a caller who has no inbox (a worker). */
  private me(): string | null {
    const claims = this.actor.requireAuthenticated();
    return isBigintId(claims.sub) ? claims.sub : null;
  }

  async mine(args: PageArgs & { unreadOnly?: boolean | null }): Promise<Connection<Notification>> {
    const page = readPage(args, CURSOR_KIND);
    const me = this.me();
    if (!me) return empty();
    const unreadOnly = !!args.unreadOnly;
    const rows = await this.dataSource.query(
      `SELECT * FROM notification
        WHERE recipient_person_id = $1 AND (NOT $2 OR read_at IS NULL) AND ($3::bigint IS NULL OR id < $3::bigint)
        ORDER BY id DESC LIMIT $4`,
      [me, unreadOnly, page.afterKey, page.limit + 1],
    );
    const notifications = hydrate(this.dataSource.manager, Notification, rows);
    for (const notification of notifications) this.loaders.notificationById.prime(notification.id, notification);
    return toConnection(notifications, page, CURSOR_KIND, (notification) => notification.id, () => this.count(me, unreadOnly));
  }

  async unreadCount(): Promise<number> {
    const me = this.me();
    return me ? this.count(me, true) : 0;
  }

  async markRead(raw: unknown): Promise<number> {
    const me = this.me();
    if (!me) throw new Forbidden(); // a worker (SERVICE) is not a person and has no inbox to change
    const input = parseInput(markNotificationsReadInput, raw);
    const [, changed] = await this.dataSource.query(
      `UPDATE notification SET read_at = now()
        WHERE recipient_person_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
      [me, input.ids ?? null],
    );
    return Number(changed);
  }

  /** A reference from another subgraph: the notification for its recipient, null for anyone else. */
  async reference(id: string): Promise<Notification | null> {
    const me = this.me();
    const notification = await this.loaders.notificationById.load(id);
    return notification && notification.recipientPersonId === me ? notification : null;
  }

  private async count(me: string, unreadOnly: boolean): Promise<number> {
    const [{ n }] = await this.dataSource.query(
      'SELECT count(*)::int AS n FROM notification WHERE recipient_person_id = $1 AND (NOT $2 OR read_at IS NULL)',
      [me, unreadOnly],
    );
    return n;
  }
}
