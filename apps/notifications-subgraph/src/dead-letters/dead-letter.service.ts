import type { DataSource } from 'typeorm';
import type { Actor, Role } from '@kz/auth';
import { Forbidden, InvalidTransition, NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { Connection, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import { retryNotificationInput } from './dead-letter.input';

/** Staff who read and retry every dead letter. */
const EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER'];
/** Staff who read and retry those about their subtree (by the unit of the message's subject). */
const IN_SCOPE: Role[] = ['INSTITUTE_ADMIN', 'STATION_ADMIN'];

const CURSOR_KIND = 'notificationDelivery';

const STATUS_ZH: Record<string, string> = { PENDING: '待发送', SCHEDULED: '已排期', FAILED: '发送失败待重试', SENT: '已发送', DEAD: '死信' };

/** A delivery as the graph shows it. */
export interface DeliveryView {
  id: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  sentAt: Date | null;
  address: string | null;
  notificationId: string;
  recipientId: string;
  unitPath: string | null;
}

const SELECT = `SELECT d.id::text, d.channel, d.status, d.attempts, d.last_error AS "lastError", d.next_attempt_at AS "nextAttemptAt",
                       d.sent_at AS "sentAt", d.address, d.notification_id::text AS "notificationId",
                       n.recipient_person_id::text AS "recipientId", n.unit_path AS "unitPath"
                  FROM delivery d JOIN notification n ON n.id = d.notification_id`;

/**
 * The dead-letter list of outbound deliveries, and their retry. CENTER_ADMIN and DISPATCHER see and retry all;
 * INSTITUTE_ADMIN and STATION_ADMIN those whose subject (the order, volunteer, account… the message is about) lies in
 * their subtree, by the unit path the event carried. A retry re-queues the delivery with a fresh set of attempts: the
 * row turns PENDING under a new revision and a `notification.delivery.due` event goes to the worker through the
 * outbox, in the same transaction.
 */
export class DeadLetterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly eventsWritten: () => void,
  ) {}

  /** Null: every unit; a path: only that subtree. Anyone else is refused. */
  private scope(): string | null {
    const claims = this.actor.requireRole(...EVERYWHERE, ...IN_SCOPE);
    if (this.actor.hasRole(...EVERYWHERE)) return null;
    if (!claims.unitPath) throw new Forbidden();
    return claims.unitPath;
  }

  private visible(delivery: DeliveryView, scope: string | null): boolean {
    return scope === null || (!!delivery.unitPath && this.actor.inScope(delivery.unitPath, IN_SCOPE));
  }

  async failed(args: PageArgs): Promise<Connection<DeliveryView>> {
    const page = readPage(args, CURSOR_KIND);
    const scope = this.scope();
    const where = `d.status = 'DEAD' AND ($1::text IS NULL OR n.unit_path = $1 OR n.unit_path LIKE $1 || '/%')`;
    const rows: DeliveryView[] = await this.dataSource.query(
      `${SELECT} WHERE ${where} AND ($2::bigint IS NULL OR d.id < $2::bigint) ORDER BY d.id DESC LIMIT $3`,
      [scope, page.afterKey, page.limit + 1],
    );
    return toConnection(rows, page, CURSOR_KIND, (row) => row.id, async () => {
      const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM delivery d JOIN notification n ON n.id = d.notification_id WHERE ${where}`, [scope]);
      return n;
    });
  }

  async retry(raw: unknown): Promise<DeliveryView> {
    const scope = this.scope();
    const input = parseInput(retryNotificationInput, raw);
    const claims = this.actor.requireAuthenticated();
    const delivery = await this.dataSource.transaction(async (manager) => {
      const [row]: DeliveryView[] = await manager.query(`${SELECT} WHERE d.id = $1 FOR UPDATE OF d`, [input.deliveryId]);
      if (!row || !this.visible(row, scope)) throw scope === null ? new NotFound('NotificationDelivery', input.deliveryId, '通知投递') : new Forbidden();
      if (row.status !== 'DEAD') {
        throw new InvalidTransition({
          entity: 'notification delivery',
          entityZh: '通知投递',
          from: row.status,
          fromZh: STATUS_ZH[row.status],
          event: 'retry',
          eventZh: '重发',
          to: 'PENDING',
          toZh: STATUS_ZH.PENDING,
        });
      }
      const [[updated]] = await manager.query(
        `UPDATE delivery SET status = 'PENDING', attempts = 0, revision = revision + 1, next_attempt_at = now(), claimed_until = NULL,
                updated_at = now()
          WHERE id = $1 RETURNING revision, next_attempt_at`,
        [row.id],
      );
      await recordEvent(manager, {
        type: 'notification.delivery.due',
        actor: { personId: claims.sub, roles: claims.roles },
        unitPath: row.unitPath,
        payload: { deliveryId: row.id, revision: updated.revision, dueAt: new Date(updated.next_attempt_at).toISOString() },
      });
      return { ...row, status: 'PENDING', attempts: 0, nextAttemptAt: new Date(updated.next_attempt_at) };
    });
    this.eventsWritten();
    return delivery;
  }
}
