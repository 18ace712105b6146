import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { VolunteerStatus } from './volunteer-statuses';

/** A registered volunteer. `homeStationPath` copies the station's path so scope checks need no call to org. */
@Entity({ name: 'volunteer' })
export class Volunteer {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'person_id', type: 'bigint', unique: true })
  personId!: string;

  @Column({ type: 'text', default: 'PENDING' })
  status!: VolunteerStatus;

  @Column({ name: 'home_station_id', type: 'bigint', nullable: true })
  homeStationId!: string | null;

  @Column({ name: 'home_station_path', type: 'text', nullable: true })
  homeStationPath!: string | null;

  @Column({ name: 'verified_minutes', type: 'int', default: 0 })
  verifiedMinutes!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
