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
import type { DeliveryScheduler, ScheduledDelivery } from '../deliveries/delivery-scheduler';
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

/** What a notification says, as the row is written and as the live stream carries it. */
function contentOf({ audience, title, body, params, link, urgent }: Planned) {
  return { audience, title, body, params, link, urgent };
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
    const planned = await this.plan(event);
    if (planned) {
      const outcome = await this.write(event, planned);
      if (outcome) {
        if (planned.length > 0) this.deps.log.debug({ eventId: event.id, type: event.type, recipients: planned.length }, 'notifications written');
        await this.pushLive(outcome.written);
        // Just written: the open deliveries are those the statement returned, no need to read them back.
        await this.deps.scheduler.ensureAll(outcome.open);
        return;
      }
    }
    await this.scheduleOpenDeliveries(event.id);
  }

  /**
   * The event's claim in `processed_event`, its notifications and their deliveries in one statement (one transaction,
   * one round trip); null when another replica claimed the event first. Returns what was written, with each
   * recipient's unread count after it, and the deliveries to schedule.
   */
  private async write(
    event: EventEnvelope,
    planned: Planned[],
  ): Promise<{ written: LiveNotificationEntry[]; open: ScheduledDelivery[] } | null> {
    const messages = planned.map((message) => ({ person_id: message.personId, ...contentOf(message) }));
    const deliveries = planned.flatMap((message) =>
      message.deliveries.map((delivery) => ({
        person_id: message.personId,
        channel: delivery.channel,
        status: delivery.status,
        address: delivery.address,
        next_attempt_at: delivery.nextAttemptAt.toISOString(),
        last_error: delivery.lastError,
      })),
    );
    const [row]: { claimed: boolean; written: { id: string; personId: string; createdAt: string; unread: number }[]; open: { id: string; revision: number; nextAttemptAt: string }[] }[] =
      await this.deps.dataSource.query(
        `WITH claimed AS (
           INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING RETURNING event_id
         ), written AS (
           INSERT INTO notification (recipient_person_id, event_id, kind, audience, title, body, params, link, urgent, unit_path, created_at)
           SELECT m.person_id, $2::uuid, $3::text, m.audience, m.title, m.body, m.params, m.link, m.urgent, $4::text, $5::timestamptz
             FROM jsonb_to_recordset($6::jsonb) AS m(person_id bigint, audience text, title text, body text, params jsonb, link text, urgent boolean)
            WHERE EXISTS (SELECT 1 FROM claimed)
           ON CONFLICT (event_id, recipient_person_id) DO NOTHING RETURNING id, recipient_person_id, created_at
         ), outbound AS (
           INSERT INTO delivery (notification_id, channel, status, address, next_attempt_at, last_error)
           SELECT w.id, d.channel, d.status, d.address, d.next_attempt_at, d.last_error
             FROM written w
             JOIN jsonb_to_recordset($7::jsonb) AS d(person_id bigint, channel text, status text, address text, next_attempt_at timestamptz, last_error text)
               ON d.person_id = w.recipient_person_id
           ON CONFLICT (notification_id, channel) DO NOTHING RETURNING id, revision, status, next_attempt_at
         )
         SELECT EXISTS (SELECT 1 FROM claimed) AS claimed,
                (SELECT coalesce(json_agg(json_build_object(
                   'id', w.id::text, 'personId', w.recipient_person_id::text, 'createdAt', w.created_at,
                   -- the statement does not see its own row: the unread rows before it, and it
                   'unread', 1 + (SELECT count(*) FROM notification x WHERE x.recipient_person_id = w.recipient_person_id AND x.read_at IS NULL))), '[]')
                   FROM written w) AS written,
                (SELECT coalesce(json_agg(json_build_object('id', o.id::text, 'revision', o.revision, 'nextAttemptAt', o.next_attempt_at)), '[]')
                   FROM outbound o WHERE o.status IN ('PENDING', 'SCHEDULED', 'FAILED')) AS open`,
        [INBOX_CONSUMER, event.id, event.type, event.unitPath, new Date(this.deps.now()), JSON.stringify(messages), JSON.stringify(deliveries)],
      );
    if (!row?.claimed) return null; // another replica wrote them
    const byPerson = new Map(planned.map((message) => [message.personId, message]));
    const rank = new Map(planned.map((message, index) => [message.personId, index]));
    return {
      written: [...row.written].sort((a, b) => rank.get(a.personId)! - rank.get(b.personId)!).map((written) => {
        const message = byPerson.get(written.personId)!;
        return {
          personId: written.personId,
          id: written.id,
          kind: event.type,
          ...contentOf(message),
          createdAt: new Date(written.createdAt).toISOString(),
          unreadCount: written.unread,
        };
      }),
      open: row.open.map((delivery) => ({ id: delivery.id, revision: delivery.revision, nextAttemptAt: new Date(delivery.nextAttemptAt) })),
    };
  }

  /**
   * Appends what was just written to the live stream, with each recipient's unread count after it. Best effort: the
   * inbox is the record, and a subscriber who missed an entry refetches it (`myNotifications`).
   */
  private async pushLive(entries: LiveNotificationEntry[]): Promise<void> {
    const { live, log } = this.deps;
    if (!live || entries.length === 0) return;
    try {
      await appendLive(live.redis, live.prefix, 'notifications', entries, live.maxLen);
    } catch (error) {
      log.warn({ err: (error as Error).message, notifications: entries.length }, 'live notifications not pushed');
    }
  }

  private async isProcessed(eventId: string): Promise<boolean> {
    const rows = await this.deps.dataSource.query('SELECT 1 FROM processed_event WHERE consumer = $1 AND event_id = $2', [INBOX_CONSUMER, eventId]);
    return rows.length > 0;
  }

  /**
   * Recipients, texts and channels: everything that needs the other services, decided before the transaction; null
   * when the event was processed already (read with the preferences, in one round trip). A redelivered event whose
   * recipients cannot be read now (a service away) is not held up by it when it was processed already.
   */
  private async plan(event: EventEnvelope): Promise<Planned[] | null> {
    const route = NOTIFICATION_ROUTES[event.type]!;
    const { recipients, order } = await findRecipients(event, route, this.deps.api).catch(async (error: unknown) => {
      if (await this.isProcessed(event.id)) return { recipients: null, order: null };
      throw error;
    });
    if (!recipients) return null;
    // No one to tell: the claim alone is written (and `write` finds out if the event was processed already).
    if (recipients.length === 0) return [];
    const urgent = isUrgent(route, order ?? (event.payload as { category?: string; urgency?: string }));
    const params = templateParams(event, order);
    const link = linkOf(route, event.payload as Record<string, unknown>);
    const [state]: { processed: boolean; preferences: { person_id: string; kind: string; channels: string[] }[] }[] = await this.deps.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM processed_event WHERE consumer = $1 AND event_id = $2::uuid) AS processed,
              (SELECT coalesce(json_agg(json_build_object('person_id', person_id::text, 'kind', kind, 'channels', channels)), '[]')
                 FROM notification_preference WHERE person_id = ANY($3::bigint[]) AND kind IN ($4, '*')) AS preferences`,
      [INBOX_CONSUMER, event.id, recipients.map((recipient) => recipient.personId), event.type],
    );
    if (state!.processed) return null;
    const { preferences } = state!;
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
    await this.deps.scheduler.ensureAll(open.map((delivery) => ({ id: delivery.id, revision: delivery.revision, nextAttemptAt: new Date(delivery.next_attempt_at) })));
  }
}
