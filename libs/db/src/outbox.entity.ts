import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Domain events written in the same transaction as the change that caused them. The relay in `@kz/events` moves
 * unpublished rows to BullMQ; `publishedAt` stays null until every routed queue has the job.
 */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['seq'], { where: 'published_at IS NULL' })
export class OutboxEvent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Insertion order, so the relay publishes events in the order they were committed. */
  @Column({ type: 'bigint', generated: 'increment', insert: false, update: false })
  seq!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'jsonb' })
  actor!: Record<string, unknown>;

  @Column({ name: 'unit_path', type: 'text', nullable: true })
  unitPath!: string | null;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  /** W3C trace context of the span that wrote the event (tracing on), continued by the relay. */
  @Column({ type: 'text', nullable: true })
  traceparent!: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}

/** Events a consumer in this service has already handled; the primary key makes a second delivery a no-op. */
@Entity({ name: 'processed_event' })
export class ProcessedEvent {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}
