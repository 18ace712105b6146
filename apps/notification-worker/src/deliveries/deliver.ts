import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@kz/events';
import {
  backoffMs,
  Channel,
  HourlyRateLimit,
  OutboundChannel,
  QuietHours,
  quietUntil,
  RetryPolicy,
  SendOutcome,
  templateKey,
} from '@kz/notifications';
import type { Logger } from '@kz/telemetry';
import type { DeliveryScheduler } from './delivery-scheduler';

interface DeliveryRow {
  id: string;
  status: string;
  channel: OutboundChannel;
  address: string | null;
  attempts: number;
  revision: number;
  next_attempt_at: Date;
  recipient_person_id: string;
  event_id: string;
  kind: string;
  audience: string;
  title: string;
  body: string;
  params: Record<string, string | number>;
  urgent: boolean;
}

/** A job that wakes up this much before its time (clocks of replicas differ a little) still sends. */
const EARLY_TOLERANCE_MS = 1000;

export interface DeliverDeps {
  dataSource: DataSource;
  channel: Channel;
  scheduler: DeliveryScheduler;
  rateLimit: HourlyRateLimit;
  quietHours: QuietHours | null;
  retry: RetryPolicy;
  /** How long a claim to send lasts; longer than a send can take (the webhook timeout and some). */
  claimMs: number;
  now: () => number;
  log: Logger;
}

/** A claim held by another sender; BullMQ retries the job with backoff (by then that send ended or its claim ran out). */
export class DeliveryInFlight extends Error {
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId} is being sent by another worker`);
    this.name = 'DeliveryInFlight';
  }
}

/**
 * The outbound use case: a due delivery is claimed (one sender at a time, across replicas), held for quiet hours if it
 * is not urgent, held for the next hour if the recipient's hourly allowance on the channel is spent, else sent. The
 * outcome is classified: sent → SENT; permanent → DEAD at once (the dead-letter list); transient → FAILED and tried
 * again after an exponential backoff, DEAD once the attempts are used up. Each reschedule is a new revision with its
 * own job; the row is the truth, jobs only wake the worker.
 */
export class DeliverUseCase {
  constructor(private readonly deps: DeliverDeps) {}

  async handle(event: EventEnvelope<'notification.delivery.due'>): Promise<void> {
    const { deliveryId, revision } = event.payload;
    // The usual case: this job is the current schedule's, due, and nobody sends it: claimed and read in one statement.
    let delivery = await this.claimDue(deliveryId, revision);
    if (!delivery) {
      delivery = await this.load(deliveryId);
      if (!delivery || delivery.status === 'SENT' || delivery.status === 'DEAD') return;
      if (revision !== delivery.revision) {
        // A job of an older schedule: the current schedule's job is the one to send (made again if it was lost).
        await this.deps.scheduler.ensure(this.schedule(delivery));
        return;
      }
      const dueAt = new Date(delivery.next_attempt_at);
      if (dueAt.getTime() > this.deps.now() + EARLY_TOLERANCE_MS) {
        // Woke early (this replica's clock is behind the one that set the delay, or the job was promoted): this job is
        // the current schedule's, so it is replaced by a new revision due at the same time, timed by this clock.
        await this.reschedule(delivery, delivery.status as 'PENDING' | 'SCHEDULED' | 'FAILED', dueAt, null);
        return;
      }
      if (!(await this.claim(delivery))) {
        const now = await this.load(deliveryId);
        if (!now || now.revision !== revision || now.status === 'SENT' || now.status === 'DEAD') return;
        throw new DeliveryInFlight(deliveryId);
      }
    }

    const now = new Date(this.deps.now());
    const quietEnd = delivery.urgent ? null : quietUntil(this.deps.quietHours, now);
    if (quietEnd) return this.reschedule(delivery, 'SCHEDULED', quietEnd, null);
    const rate = await this.deps.rateLimit.take(delivery.recipient_person_id, delivery.channel);
    if (!rate.allowed) return this.reschedule(delivery, 'SCHEDULED', rate.retryAt, `over ${delivery.channel} limit per hour; held until the next hour`);

    let outcome: SendOutcome;
    if (!delivery.address) {
      outcome = { outcome: 'permanent', error: delivery.channel === 'WECHAT' ? 'no WeChat account bound' : 'no mobile number on record' };
    } else {
      outcome = await this.deps.channel
        .send({
          deliveryId: delivery.id,
          eventId: delivery.event_id,
          channel: delivery.channel,
          to: delivery.address,
          kind: delivery.kind,
          template: templateKey(delivery.kind, delivery.audience),
          params: delivery.params,
          title: delivery.title,
          body: delivery.body,
          urgent: delivery.urgent,
        })
        .catch((error: unknown): SendOutcome => ({ outcome: 'transient', error: (error as Error).message }));
    }
    await this.record(delivery, outcome);
  }

  private async record(delivery: DeliveryRow, outcome: SendOutcome): Promise<void> {
    const attempts = delivery.attempts + 1;
    const at = new Date(this.deps.now());
    const log = this.deps.log.child({ deliveryId: delivery.id, channel: delivery.channel, attempt: attempts });
    switch (outcome.outcome) {
      case 'sent':
        await this.deps.dataSource.query(
          `UPDATE delivery SET status = 'SENT', sent_at = $3, attempts = $4, claimed_until = NULL, last_error = NULL, updated_at = $3
            WHERE id = $1 AND revision = $2`,
          [delivery.id, delivery.revision, at, attempts],
        );
        log.debug('delivery sent');
        return;
      case 'permanent':
        await this.dead(delivery, attempts, outcome.error);
        log.warn({ err: outcome.error }, 'delivery refused for good: dead letter');
        return;
      case 'transient': {
        if (attempts >= this.deps.retry.maxAttempts) {
          await this.dead(delivery, attempts, `${outcome.error} (after ${attempts} attempts)`);
          log.warn({ err: outcome.error }, 'delivery out of attempts: dead letter');
          return;
        }
        const next = new Date(at.getTime() + backoffMs(this.deps.retry, attempts, outcome.retryAfterMs));
        log.info({ err: outcome.error, next }, 'delivery failed; retrying after backoff');
        await this.reschedule(delivery, 'FAILED', next, outcome.error, attempts);
        return;
      }
    }
  }

  private async dead(delivery: DeliveryRow, attempts: number, error: string): Promise<void> {
    await this.deps.dataSource.query(
      `UPDATE delivery SET status = 'DEAD', attempts = $3, last_error = $4, claimed_until = NULL, updated_at = $5 WHERE id = $1 AND revision = $2`,
      [delivery.id, delivery.revision, attempts, error, new Date(this.deps.now())],
    );
  }

  /** A new revision due at `at`, then its job (a crash in between is mended by this job's retry: see `handle`). */
  private async reschedule(delivery: DeliveryRow, status: 'PENDING' | 'SCHEDULED' | 'FAILED', at: Date, error: string | null, attempts = delivery.attempts): Promise<void> {
    const [rows] = await this.deps.dataSource.query(
      `UPDATE delivery SET status = $3, next_attempt_at = $4, revision = revision + 1, attempts = $5, last_error = coalesce($6, last_error),
              claimed_until = NULL, updated_at = $7
        WHERE id = $1 AND revision = $2 RETURNING revision`,
      [delivery.id, delivery.revision, status, at, attempts, error, new Date(this.deps.now())],
    );
    const updated = (rows as { revision: number }[])[0];
    if (updated) await this.deps.scheduler.ensure({ id: delivery.id, revision: updated.revision, nextAttemptAt: at });
  }

  /** Claims the delivery if `revision` is its current one, it is open, due (within the tolerance) and unclaimed; returns it then. */
  private async claimDue(deliveryId: string, revision: number): Promise<DeliveryRow | undefined> {
    if (!/^[1-9]\d{0,17}$/.test(deliveryId)) return undefined;
    const now = this.deps.now();
    const [rows] = await this.deps.dataSource.query(
      `UPDATE delivery d SET claimed_until = $3
         FROM notification n
        WHERE d.id = $1 AND d.revision = $2 AND n.id = d.notification_id AND d.status IN ('PENDING', 'SCHEDULED', 'FAILED')
          AND (d.claimed_until IS NULL OR d.claimed_until < $4) AND d.next_attempt_at <= $5
        RETURNING d.id::text, d.status, d.channel, d.address, d.attempts, d.revision, d.next_attempt_at,
                  n.recipient_person_id::text, n.event_id::text, n.kind, n.audience, n.title, n.body, n.params, n.urgent`,
      [deliveryId, revision, new Date(now + this.deps.claimMs), new Date(now), new Date(now + EARLY_TOLERANCE_MS)],
    );
    return (rows as DeliveryRow[])[0];
  }

  private async claim(delivery: DeliveryRow): Promise<boolean> {
    const now = this.deps.now();
    const [rows] = await this.deps.dataSource.query(
      `UPDATE delivery SET claimed_until = $3 WHERE id = $1 AND revision = $2 AND status IN ('PENDING', 'SCHEDULED', 'FAILED')
          AND (claimed_until IS NULL OR claimed_until < $4) RETURNING id`,
      [delivery.id, delivery.revision, new Date(now + this.deps.claimMs), new Date(now)],
    );
    return (rows as unknown[]).length === 1;
  }

  private schedule(delivery: DeliveryRow) {
    return { id: delivery.id, revision: delivery.revision, nextAttemptAt: new Date(delivery.next_attempt_at) };
  }

  private async load(deliveryId: string): Promise<DeliveryRow | undefined> {
    if (!/^[1-9]\d{0,17}$/.test(deliveryId)) return undefined;
    const [row] = await this.deps.dataSource.query(
      `SELECT d.id::text, d.status, d.channel, d.address, d.attempts, d.revision, d.next_attempt_at,
              n.recipient_person_id::text, n.event_id::text, n.kind, n.audience, n.title, n.body, n.params, n.urgent
         FROM delivery d JOIN notification n ON n.id = d.notification_id WHERE d.id = $1`,
      [deliveryId],
    );
    return row;
  }
}
