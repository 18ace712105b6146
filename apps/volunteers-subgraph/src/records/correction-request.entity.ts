import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CorrectionStatus } from './record-statuses';

/** A volunteer's request to correct the minutes of their own verified record (办法 Art. 13), and its decision. */
@Entity({ name: 'service_record_correction_request' })
export class CorrectionRequest {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'record_id', type: 'bigint' })
  recordId!: string;

  @Column({ name: 'volunteer_id', type: 'bigint' })
  volunteerId!: string;

  /** The record's minutes when the request was made. */
  @Column({ name: 'current_minutes', type: 'int' })
  currentMinutes!: number;

  @Column({ name: 'proposed_minutes', type: 'int' })
  proposedMinutes!: number;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  status!: CorrectionStatus;

  /** The volunteer's person id. */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason!: string | null;
}
