import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { HeldReason } from './held-records';
import type { RecordSource, RecordStatus } from './record-statuses';

/**
 * Service time of one volunteer at one activity (or on one order, or recorded offline by staff). `unitPath` copies the
 * unit's path so scope checks need no call to org; only verified minutes count towards the volunteer's totals.
 */
@Entity({ name: 'service_record' })
export class ServiceRecord {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'volunteer_id', type: 'bigint' })
  volunteerId!: string;

  @Column({ name: 'activity_id', type: 'bigint', nullable: true })
  activityId!: string | null;

  @Column({ name: 'order_id', type: 'text', nullable: true })
  orderId!: string | null;

  /** The order's delivery round the service was delivered in (1, then 2 after a reopening…); null without an order. */
  @Column({ name: 'order_round', type: 'int', nullable: true })
  orderRound!: number | null;

  @Column({ name: 'unit_id', type: 'bigint' })
  unitId!: string;

  @Column({ name: 'unit_path', type: 'text' })
  unitPath!: string;

  /** Code of `activity_category`. */
  @Column({ type: 'text' })
  category!: string;

  @Column({ type: 'text' })
  title!: string;

  /** Where the service took place (办法 Art. 7): the activity's place, the offline input's, the order event's (station and 小区); null where none was recorded (older order records, rows before it was kept). */
  @Column({ type: 'text', nullable: true })
  place!: string | null;

  /** What the service was (办法 Art. 7): the activity's description, the offline input's, the order's category and title (its title on older events). */
  @Column({ type: 'text' })
  content!: string;

  /** The 活动负责人: a person id, and their name as it was when the record was made (a snapshot, never updated). */
  @Column({ name: 'responsible_person_id', type: 'bigint', nullable: true })
  responsiblePersonId!: string | null;

  @Column({ name: 'responsible_name', type: 'text', nullable: true })
  responsibleName!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'int' })
  minutes!: number;

  @Column({ type: 'text', default: 'PENDING' })
  status!: RecordStatus;

  @Column({ type: 'text' })
  source!: RecordSource;

  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  /** Person id of whoever verified or rejected it. */
  @Column({ name: 'verified_by', type: 'text', nullable: true })
  verifiedBy!: string | null;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt!: Date | null;

  @Column({ name: 'reject_reason', type: 'text', nullable: true })
  rejectReason!: string | null;

  /** 条例 Art. 19: why the record is held for review (`held-records.ts`), and the staff unit the person held then. */
  @Column({ name: 'held_reason', type: 'text', nullable: true })
  heldReason!: HeldReason | null;

  @Column({ name: 'held_staff_path', type: 'text', nullable: true })
  heldStaffPath!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
