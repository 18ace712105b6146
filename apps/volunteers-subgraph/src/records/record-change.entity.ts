import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RecordAction } from './record-statuses';

/** One line of a service record's history: who did what, when and why. Lines are only ever added. */
@Entity({ name: 'service_record_change' })
export class ServiceRecordChange {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'record_id', type: 'bigint' })
  recordId!: string;

  @Column({ type: 'text' })
  action!: RecordAction;

  @Column({ name: 'old_minutes', type: 'int', nullable: true })
  oldMinutes!: number | null;

  @Column({ name: 'new_minutes', type: 'int', nullable: true })
  newMinutes!: number | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** Person id, or a system name (`system:…`) for changes no person made. */
  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
