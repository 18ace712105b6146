import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SignUpStatus } from './activity-state-machine';

/** A volunteer's sign-up for an activity: one row per volunteer and activity, reused when they sign up again. */
@Entity({ name: 'activity_signup' })
export class ActivitySignUp {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'activity_id', type: 'bigint' })
  activityId!: string;

  @Column({ name: 'volunteer_id', type: 'bigint' })
  volunteerId!: string;

  @Column({ type: 'text' })
  status!: SignUpStatus;

  /** When the volunteer (last) signed up: the waitlist goes in this order. */
  @Column({ name: 'signed_up_at', type: 'timestamptz', default: () => 'now()' })
  signedUpAt!: Date;

  @Column({ name: 'checked_in_at', type: 'timestamptz', nullable: true })
  checkedInAt!: Date | null;

  @Column({ name: 'check_in_distance_m', type: 'int', nullable: true })
  checkInDistanceMeters!: number | null;

  @Column({ name: 'checked_out_at', type: 'timestamptz', nullable: true })
  checkedOutAt!: Date | null;

  @Column({ name: 'check_out_distance_m', type: 'int', nullable: true })
  checkOutDistanceMeters!: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
