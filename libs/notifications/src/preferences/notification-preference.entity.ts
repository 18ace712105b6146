import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChannelName } from '../channels/channel';

/** A person's choice of channels for one kind of notification, or for every kind (`*`). */
@Entity({ name: 'notification_preference' })
export class NotificationPreference {
  @PrimaryColumn({ name: 'person_id', type: 'bigint' })
  personId!: string;

  /** An event type (`order.dispatched`) or `*`. */
  @PrimaryColumn({ type: 'text' })
  kind!: string;

  /** Always holds `INBOX`; `SMS` and `WECHAT` go out through the webhook. */
  @Column({ type: 'text', array: true })
  channels!: ChannelName[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
