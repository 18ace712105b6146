import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OutboundChannel } from '../channels/channel';

/**
 * Where an outbound delivery stands:
 * - `PENDING`: due now, its job is queued;
 * - `SCHEDULED`: held until `next_attempt_at` (quiet hours, or the recipient's hourly limit);
 * - `FAILED`: the last attempt failed transiently, the next one is at `next_attempt_at` (exponential backoff);
 * - `SENT`: the gateway took it (final);
 * - `DEAD`: refused for good, or out of attempts: the dead-letter list staff read and retry.
 */
export const DELIVERY_STATUSES = ['PENDING', 'SCHEDULED', 'FAILED', 'SENT', 'DEAD'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One outbound copy of a notification on one channel (the inbox row is the notification itself). */
@Entity({ name: 'delivery' })
export class Delivery {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'notification_id', type: 'bigint' })
  notificationId!: string;

  @Column({ type: 'text' })
  channel!: OutboundChannel;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  /** Where the gateway sends it (the recipient's mobile when the delivery was made); null when none is known. */
  @Column({ type: 'text', nullable: true })
  address!: string | null;

  /** Sends tried since the delivery was made or last re-queued from the dead-letter list. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Bumped each time the delivery is (re)scheduled; its job id and envelope id are derived from it. */
  @Column({ type: 'int', default: 0 })
  revision!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** While a worker sends it: no other may before this time (a crashed sender's claim runs out). */
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
