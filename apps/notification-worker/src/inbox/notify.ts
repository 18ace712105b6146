import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import type { QueueBackend } from '@kz/events';
import { appendLive, EventEnvelope, LiveNotificationEntry, PermanentFailure } from '@kz/events';
import {
  chooseChannels,
  isUrgent,
  linkOf,
  NOTIFICATION_ROUTES,
  OutboundChannel,
  QuietHours,
  quietUntil,
  renderTemplate,
} from '@kz/notifications';
import type { Logger } from '@kz/telemetry';
import type { DeliveryScheduler } from '../deliveries/delivery-scheduler';
import { findRecipients, templateParams } from '../recipients/find-recipients';
import type { RecipientsApi } from '../recipients/recipients-api';

/** The consumer name of the inbox in `processed_event`. */
export const INBOX_CONSUMER = 'notifications.inbox';

interface Planned {
  personId: string;
  audience: string;
  title: string;
  body: string;
  params: Record<string, string | number>;
  urgent: boolean;
  link: string | null;
  deliveries: { channel: OutboundChannel; address: string | null; status: 'PENDING' | 'SCHEDULED' | 'DEAD'; nextAttemptAt: Date; lastError: string | null }[];
}

export interface NotifyDeps {
  dataSource: DataSource;
  api: RecipientsApi;
  scheduler: DeliveryScheduler;
  quietHours: QuietHours | null;
  now: () => number;
  log: Logger;
  /** WECHAT deliveries go through WeChat itself (WECHAT_APP_ID set), addressed to the openid, not the mobile number. */
  wechatByOpenId?: boolean;
  /** The live stream of notifications the gateways push to `notificationAdded` subscribers (absent: none). */
  live?: { redis: Redis | QueueBackend; prefix: string; maxLen: number };
}

/**
 * The inbox use case: a domain event becomes one notification per recipient (written at once, quiet hours or not)
 * and one delivery per outbound channel the recipient wants, each with its job.
 *
 * Exactly once: the recipients are decided once per event (the `processed_event` row commits with the notifications),
 * and `UNIQUE (event_id, recipient_person_id)` and `UNIQUE (notification_id, channel)` hold even if two replicas race.
 * Jobs are added after the commit; a crash in between is mended by the event's retry, which finds the event processed
 * and only makes sure every open delivery of it has its job.
 */
export class NotifyUseCase {
  constructor(private readonly deps: NotifyDeps) {}

  async handle(event: EventEnvelope): Promise<void> {
    const route = NOTIFICATION_ROUTES[event.type];
    if (!route) throw new PermanentFailure(`no notification route for ${event.type}`);
    const { dataSource } = this.deps;
    const processed = await dataSource.query('SELECT 1 FROM processed_event WHERE consumer = $1 AND event_id = $2', [INBOX_CONSUMER, event.id]);
    if (processed.length === 0) {
      const planned = await this.plan(event);
      const written: Omit<LiveNotificationEntry, 'unreadCount'>[] = [];
      await dataSource.transaction(async (manager) => {
        const claimed = await manager.query(
          'INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id',
          [INBOX_CONSUMER, event.id],
        );
        if (claimed.length === 0) return; // another replica wrote them
        for (const message of planned) {
          const [row] = await manager.query(
            `INSERT INTO notification (recipient_person_id, event_id, kind, audience, title, body, params, link, urgent, unit_path, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (event_id, recipient_person_id) DO NOTHING RETURNING id::text, created_at`,
            [message.personId, event.id, event.type, message.audience, message.title, message.body, JSON.stringify(message.params), message.link, message.urgent, event.unitPath, new Date(this.deps.now())],
          );
          if (!row) continue;
          written.push({
            personId: message.personId,
            id: row.id,
            kind: event.type,
            audience: message.audience,
            title: message.title,
            body: message.body,
            params: message.params,
            link: message.link,
            urgent: message.urgent,
            createdAt: new Date(row.created_at).toISOString(),
          });
          for (const delivery of message.deliveries) {
            await manager.query(
              `INSERT INTO delivery (notification_id, channel, status, address, next_attempt_at, last_error)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (notification_id, channel) DO NOTHING`,
              [row.id, delivery.channel, delivery.status, delivery.address, delivery.nextAttemptAt, delivery.lastError],
            );
          }
        }
      });
      if (planned.length > 0) this.deps.log.debug({ eventId: event.id, type: event.type, recipients: planned.length }, 'notifications written');
      await this.pushLive(written);
    }
    await this.scheduleOpenDeliveries(event.id);
  }

  /**
   * Appends what was just written to the live stream, with each recipient's unread count after it. Best effort: the
   * inbox is the record, and a subscriber who missed an entry refetches it (`myNotifications`).
   */
  private async pushLive(written: Omit<LiveNotificationEntry, 'unreadCount'>[]): Promise<void> {
    const { live, dataSource, log } = this.deps;
    if (!live || written.length === 0) return;
    try {
      const counts: { person: string; unread: number }[] = await dataSource.query(
        `SELECT recipient_person_id::text AS person, count(*)::int AS unread FROM notification
          WHERE recipient_person_id = ANY($1::bigint[]) AND read_at IS NULL GROUP BY recipient_person_id`,
        [[...new Set(written.map((entry) => entry.personId))]],
      );
      const unread = new Map(counts.map((row) => [row.person, row.unread]));
      const entries: LiveNotificationEntry[] = written.map((entry) => ({ ...entry, unreadCount: unread.get(entry.personId) ?? 0 }));
      await appendLive(live.redis, live.prefix, 'notifications', entries, live.maxLen);
    } catch (error) {
      log.warn({ err: (error as Error).message, notifications: written.length }, 'live notifications not pushed');
    }
  }

  /** Recipients, texts and channels: everything that needs the other services, decided before the transaction. */
  private async plan(event: EventEnvelope): Promise<Planned[]> {
    const route = NOTIFICATION_ROUTES[event.type]!;
    const { recipients, order } = await findRecipients(event, route, this.deps.api);
    if (recipients.length === 0) return [];
    const urgent = isUrgent(route, order ?? (event.payload as { category?: string; urgency?: string }));
    const params = templateParams(event, order);
    const link = linkOf(route, event.payload as Record<string, unknown>);
    const preferences: { person_id: string; kind: string; channels: string[] }[] = await this.deps.dataSource.query(
      `SELECT person_id::text, kind, channels FROM notification_preference WHERE person_id = ANY($1::bigint[]) AND kind IN ($2, '*')`,
      [recipients.map((recipient) => recipient.personId), event.type],
    );
    const channelsOf = new Map(
      recipients.map((recipient) => [
        recipient.personId,
        chooseChannels(
          preferences.filter((row) => row.person_id === recipient.personId),
          event.type,
          recipient.audience,
          urgent,
        ).filter((channel): channel is OutboundChannel => channel !== 'INBOX'),
      ]),
    );
    const outbound = recipients.filter((recipient) => channelsOf.get(recipient.personId)!.length > 0).map((recipient) => recipient.personId);
    const contacts = await this.deps.api.contacts(outbound);
    const now = new Date(this.deps.now());
    // Urgent messages go at once; the others wait out quiet hours (the inbox row is written now either way).
    const holdUntil = urgent ? null : quietUntil(this.deps.quietHours, now);
    return recipients.map((recipient) => {
      const text = renderTemplate(event.type, recipient.audience, params, 'zh-CN');
      if (!text) throw new PermanentFailure(`no template ${event.type}.${recipient.audience}`);
      const contact = contacts.get(recipient.personId);
      return {
        personId: recipient.personId,
        audience: recipient.audience,
        ...text,
        params,
        urgent,
        link,
        deliveries: channelsOf.get(recipient.personId)!.map((channel) => {
          // WeChat messages go to the openid of the bound WeChat account when WeChat sends them, else (a message
          // gateway behind the webhook) to the mobile number, as SMS do.
          const address = channel === 'WECHAT' && this.deps.wechatByOpenId ? (contact?.weChatOpenId ?? null) : (contact?.mobile ?? null);
          return address
            ? { channel, address, status: holdUntil ? ('SCHEDULED' as const) : ('PENDING' as const), nextAttemptAt: holdUntil ?? now, lastError: null }
            : // Nowhere to send it: a dead letter at once, so staff see who cannot be reached.
              { channel, address: null, status: 'DEAD' as const, nextAttemptAt: now, lastError: channel === 'WECHAT' && this.deps.wechatByOpenId ? 'no WeChat account bound' : 'no mobile number on record' };
        }),
      };
    });
  }

  private async scheduleOpenDeliveries(eventId: string): Promise<void> {
    const open: { id: string; revision: number; next_attempt_at: Date }[] = await this.deps.dataSource.query(
      `SELECT d.id::text, d.revision, d.next_attempt_at FROM delivery d JOIN notification n ON n.id = d.notification_id
        WHERE n.event_id = $1 AND d.status IN ('PENDING', 'SCHEDULED', 'FAILED')`,
      [eventId],
    );
    for (const delivery of open) {
      await this.deps.scheduler.ensure({ id: delivery.id, revision: delivery.revision, nextAttemptAt: new Date(delivery.next_attempt_at) });
    }
  }
}
