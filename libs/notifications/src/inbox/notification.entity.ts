import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One message in one person's in-app inbox. Exactly one per (event, recipient): the unique key makes a redelivered
 * event, a retried job or two racing replicas insert it once. `title` and `body` are the zh-CN text as sent;
 * `params` and `audience` let the graph render the same template in the reader's language.
 */
@Entity({ name: 'notification' })
export class Notification {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'recipient_person_id', type: 'bigint' })
  recipientPersonId!: string;

  /** The domain event this message is about (its envelope id). */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  /** The event type, e.g. `order.dispatched`; preferences are set per kind. */
  @Column({ type: 'text' })
  kind!: string;

  /** Who the template addressed (`RESIDENT`, `STAFF`, `VOLUNTEER`). */
  @Column({ type: 'text' })
  audience!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, string | number>;

  /** The subject, as `type:id` (`order:123`, `volunteer:7`), for the client to open. */
  @Column({ type: 'text', nullable: true })
  link!: string | null;

  @Column({ type: 'boolean', default: false })
  urgent!: boolean;

  /** Materialized path of the subject's unit (the event's), so staff in scope may see its failed deliveries. */
  @Column({ name: 'unit_path', type: 'text', nullable: true })
  unitPath!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;
}
