import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { VolunteerStatus } from './volunteer-statuses';

/** A weekly window of availability: ISO day of week (1 = Monday), `HH:MM` local times, end after start. */
export interface AvailabilityWindow {
  dayOfWeek: number;
  start: string;
  end: string;
}

/**
 * A person's volunteer profile. `homeStationPath` copies the station's path so scope checks need no call to org;
 * `verifiedMinutes` and `serviceCount` are running totals kept by the service records.
 */
@Entity({ name: 'volunteer' })
export class Volunteer {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'person_id', type: 'bigint', unique: true })
  personId!: string;

  @Column({ type: 'text', default: 'PENDING' })
  status!: VolunteerStatus;

  /** Why the registration was rejected or the volunteer suspended; null otherwise. */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'home_station_id', type: 'bigint', nullable: true })
  homeStationId!: string | null;

  @Column({ name: 'home_station_path', type: 'text', nullable: true })
  homeStationPath!: string | null;

  /** Skill codes of the `skill` taxonomy. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  skills!: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  availability!: AvailabilityWindow[];

  /** Where the volunteer lives, as they describe it (办法 Art. 5 居住区域), e.g. 汉丰街道迎宾社区. */
  @Column({ name: 'residence_area', type: 'text', nullable: true })
  residenceArea!: string | null;

  /** Codes of `activity_category` the volunteer prefers to serve in (办法 Art. 5 服务类别). */
  @Column({ name: 'service_categories', type: 'text', array: true, default: () => "'{}'" })
  serviceCategories!: string[];

  /** `self`, or the person id of the staff member who registered the volunteer (assisted mode). */
  @Column({ name: 'registered_by', type: 'text', default: 'self' })
  registeredBy!: string;

  @Column({ name: 'verified_minutes', type: 'int', default: 0 })
  verifiedMinutes!: number;

  @Column({ name: 'service_count', type: 'int', default: 0 })
  serviceCount!: number;

  /** Whether the volunteer is shown on the public leaderboards (staff in scope see them either way). */
  @Column({ name: 'public_ranking', type: 'boolean', default: true })
  publicRanking!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
