import { Column, Entity, PrimaryColumn } from 'typeorm';
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

  @Column({ name: 'unit_id', type: 'bigint' })
  unitId!: string;

  @Column({ name: 'unit_path', type: 'text' })
  unitPath!: string;

  /** Code of `activity_category`. */
  @Column({ type: 'text' })
  category!: string;

  @Column({ type: 'text' })
  title!: string;

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

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
