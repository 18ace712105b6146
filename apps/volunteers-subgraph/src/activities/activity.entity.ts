import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActivityStatus } from './activity-state-machine';

/**
 * A volunteer activity a unit recruits for. `organizingUnitPath` copies the unit's path so scope checks need no call
 * to org; `signedUp` counts the places taken and is only ever changed by one conditional UPDATE, which is what keeps
 * the capacity under concurrent sign-ups (the table's CHECK is the last line of defence).
 */
@Entity({ name: 'activity' })
export class Activity {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Code of `activity_category`. */
  @Column({ type: 'text' })
  category!: string;

  @Column({ name: 'organizing_unit_id', type: 'bigint' })
  organizingUnitId!: string;

  @Column({ name: 'organizing_unit_path', type: 'text' })
  organizingUnitPath!: string;

  /** The 活动负责人 (办法 Art. 7) and their name when named; their records copy both. */
  @Column({ name: 'responsible_person_id', type: 'bigint', nullable: true })
  responsiblePersonId!: string | null;

  @Column({ name: 'responsible_name', type: 'text', nullable: true })
  responsibleName!: string | null;

  @Column({ name: 'team_id', type: 'bigint', nullable: true })
  teamId!: string | null;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ name: 'place_name', type: 'text' })
  placeName!: string;

  @Column({ type: 'double precision' })
  lat!: number;

  @Column({ type: 'double precision' })
  lng!: number;

  @Column({ name: 'check_in_radius_m', type: 'int' })
  checkInRadiusMeters!: number;

  @Column({ type: 'int' })
  capacity!: number;

  /** Codes of `skill`. */
  @Column({ name: 'required_skills', type: 'text', array: true, default: () => "'{}'" })
  requiredSkills!: string[];

  @Column({ type: 'text', default: 'DRAFT' })
  status!: ActivityStatus;

  /** 条例 Art. 19: staff duty, not volunteer service; its check-outs make no service record. */
  @Column({ name: 'staff_duty', type: 'boolean', default: false })
  staffDuty!: boolean;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: string | null;

  /** Places taken: sign-ups that hold one (signed up, checked in or out, no-show). */
  @Column({ name: 'signed_up', type: 'int', default: 0 })
  signedUp!: number;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
